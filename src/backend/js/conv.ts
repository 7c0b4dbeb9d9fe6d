/**
 * The sliding-window primitives of the reference backend: im2col (F.unfold) and its adjoint col2im
 * (F.fold). Convolution and pooling are composed from these in src/tensor/ops (conv2d = im2col + a
 * batched matmul; max/avg pooling = im2col + a reduction over the kernel axis), so a new backend needs
 * these two kernels and nothing convolution-specific.
 *
 * Both walk the column buffer in its storage order, [n][c][i][j][oy][ox], so the column side is always
 * read or written contiguously. For every kernel column j the range of output columns whose input
 * column falls inside the image is computed once, so the inner loop has no bounds test: padding on the
 * left, a (strided) copy in the middle, padding on the right.
 *
 * The convolution and max-pooling primitives (conv2d, its two gradients, maxPool2d) are defined here
 * by exactly that composition, so a fast backend that fuses them must give the same numbers.
 */
import type { Backend, Im2colSpec } from '../backend.js';
import { allocate, dtypeOf, type TypedArray } from '../../tensor/dtype.js';

/** For each kernel column j: the output columns [lo[j], hi[j]) whose input column is inside [0, width). */
function validColumns(spec: Im2colSpec): { lo: Int32Array; hi: Int32Array } {
  const { kernelW, strideW, padLeft, dilationW, width, outW } = spec;
  const lo = new Int32Array(kernelW);
  const hi = new Int32Array(kernelW);
  for (let j = 0; j < kernelW; j++) {
    const offset = j * dilationW - padLeft; // input column = ox·strideW + offset
    const first = offset >= 0 ? 0 : Math.ceil(-offset / strideW);
    const end = width - 1 - offset < 0 ? 0 : Math.floor((width - 1 - offset) / strideW) + 1;
    lo[j] = Math.min(first, outW);
    hi[j] = Math.max(lo[j]!, Math.min(end, outW));
  }
  return { lo, hi };
}

export function im2col(x: TypedArray, spec: Im2colSpec, out: TypedArray): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW } = spec;
  const { padTop, padLeft, dilationH, dilationW, outH, outW } = spec;
  const pad = spec.padValue ?? 0;
  const plane = height * width;
  const { lo, hi } = validColumns(spec);
  let o = 0;
  for (let nc = 0; nc < batch * channels; nc++) {
    const base = nc * plane;
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++) {
        const first = lo[j]!;
        const end = hi[j]!;
        const colOffset = j * dilationW - padLeft;
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * strideH - padTop + i * dilationH;
          if (iy < 0 || iy >= height) {
            for (let ox = 0; ox < outW; ox++) out[o++] = pad;
            continue;
          }
          const row = base + iy * width + colOffset;
          let ox = 0;
          for (; ox < first; ox++) out[o++] = pad;
          if (strideW === 1) for (; ox < end; ox++) out[o++] = x[row + ox]!;
          else for (; ox < end; ox++) out[o++] = x[row + ox * strideW]!;
          for (; ox < outW; ox++) out[o++] = pad;
        }
      }
    }
  }
}

export function col2im(cols: TypedArray, spec: Im2colSpec, out: TypedArray): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW } = spec;
  const { padTop, padLeft, dilationH, dilationW, outH, outW } = spec;
  const plane = height * width;
  const { lo, hi } = validColumns(spec);
  let o = 0;
  for (let nc = 0; nc < batch * channels; nc++) {
    const base = nc * plane;
    for (let i = 0; i < kernelH; i++) {
      for (let j = 0; j < kernelW; j++) {
        const first = lo[j]!;
        const end = hi[j]!;
        const colOffset = j * dilationW - padLeft;
        for (let oy = 0; oy < outH; oy++, o += outW) {
          const iy = oy * strideH - padTop + i * dilationH;
          if (iy < 0 || iy >= height) continue;
          const row = base + iy * width + colOffset;
          if (strideW === 1) for (let ox = first; ox < end; ox++) out[row + ox]! += cols[o + ox]!;
          else for (let ox = first; ox < end; ox++) out[row + ox * strideW]! += cols[o + ox]!;
        }
      }
    }
  }
}

/** The sizes of a convolution: rows of one group's columns, output channels per group, output pixels. */
/**
 * Sizes of a convolution with `weights` weight elements: one group's column rows, output channels per
 * group, output pixels, one input image, and one image's columns. Shared by every backend's conv kernels.
 */
export function convSizes(weights: number, spec: Im2colSpec, groups: number) {
  const rows = (spec.channels / groups) * spec.kernelH * spec.kernelW;
  const spatial = spec.outH * spec.outW;
  const image = spec.channels * spec.height * spec.width;
  return { rows, perGroup: weights / rows / groups, spatial, image, cols: groups * rows * spatial };
}

/** The columns of the whole batch, [batch, channels·kh·kw, outH·outW] (zero padding). */
function columns(x: TypedArray, spec: Im2colSpec): TypedArray {
  const cols = allocate(
    dtypeOf(x),
    spec.batch * spec.channels * spec.kernelH * spec.kernelW * spec.outH * spec.outW,
  );
  im2col(x, { ...spec, padValue: 0 }, cols);
  return cols;
}

/** The reference conv2d: im2col, then one matmul batched over [n, g] (w broadcast over n), then the bias. */
export function conv2d(
  matmul: Backend['matmul'],
  x: TypedArray,
  w: TypedArray,
  bias: TypedArray | null,
  spec: Im2colSpec,
  groups: number,
  out: TypedArray,
): void {
  const { rows, perGroup, spatial } = convSizes(w.length, spec, groups);
  const cols = columns(x, spec);
  for (let n = 0; n < spec.batch; n++) {
    const at = n * groups * rows * spatial;
    const to = n * groups * perGroup * spatial;
    matmul(w, cols.subarray(at), out.subarray(to), {
      batch: groups, m: perGroup, k: rows, n: spatial, transA: false, transB: false,
      strideA: perGroup * rows, strideB: rows * spatial,
    }); // prettier-ignore
  }
  if (!bias) return;
  for (let n = 0, at = 0; n < spec.batch; n++) {
    for (let o = 0; o < bias.length; o++) for (let p = 0; p < spatial; p++, at++) out[at]! += bias[o]!;
  }
}

/** The reference input gradient: wᵀ·dy per [n, g] into columns, then col2im into zeros. */
export function conv2dInputGrad(
  matmul: Backend['matmul'],
  dy: TypedArray,
  w: TypedArray,
  spec: Im2colSpec,
  groups: number,
  out: TypedArray,
): void {
  const { rows, perGroup, spatial } = convSizes(w.length, spec, groups);
  const dcols = allocate(dtypeOf(dy), spec.batch * groups * rows * spatial);
  for (let n = 0; n < spec.batch; n++) {
    const at = n * groups * perGroup * spatial;
    const to = n * groups * rows * spatial;
    matmul(w, dy.subarray(at), dcols.subarray(to), {
      batch: groups, m: rows, k: perGroup, n: spatial, transA: true, transB: false,
      strideA: perGroup * rows, strideB: perGroup * spatial,
    }); // prettier-ignore
  }
  out.fill(0);
  col2im(dcols, spec, out);
}

/** The reference weight gradient: dy·colsᵀ per [n, g], then a float64 sum over n. */
export function conv2dWeightGrad(
  matmul: Backend['matmul'],
  reduce: Backend['reduce'],
  x: TypedArray,
  dy: TypedArray,
  spec: Im2colSpec,
  groups: number,
  out: TypedArray,
): void {
  const { rows, perGroup, spatial } = convSizes(out.length, spec, groups);
  const cols = columns(x, spec);
  const perSample = allocate(dtypeOf(dy), spec.batch * out.length);
  matmul(dy, cols, perSample, {
    batch: spec.batch * groups, m: perGroup, k: spatial, n: rows, transA: false, transB: true,
    strideA: perGroup * spatial, strideB: rows * spatial,
  }); // prettier-ignore
  reduce('sum', perSample, 1, spec.batch, out.length, out);
}

/** The reference max pool: every window's taps in row-major order (see Backend.maxPool2d). */
export function maxPool2d(x: TypedArray, spec: Im2colSpec, values: TypedArray, indices: Int32Array): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW } = spec;
  const { padTop, padLeft, dilationH, dilationW, outH, outW } = spec;
  const plane = height * width;
  let k = 0;
  for (let p = 0; p < batch * channels; p++) {
    const base = p * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++, k++) {
        const x0 = ox * strideW - padLeft;
        let best = -Infinity;
        let bi = -1;
        let bj = -1;
        for (let i = 0; i < kernelH; i++) {
          const iy = y0 + i * dilationH;
          for (let j = 0; j < kernelW; j++) {
            const ix = x0 + j * dilationW;
            const inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            const v = inside ? x[base + iy * width + ix]! : -Infinity;
            if (bi < 0 || v > best || (v !== v && best === best)) {
              best = v;
              bi = i;
              bj = j;
            }
          }
        }
        let iy = y0 + bi * dilationH;
        let ix = x0 + bj * dilationW;
        // A padding tap wins only when every real value is −∞: take the window's first real pixel.
        if (iy < 0 || iy >= height) for (iy = y0; iy < 0;) iy += dilationH;
        if (ix < 0 || ix >= width) for (ix = x0; ix < 0;) ix += dilationW;
        values[k] = best;
        indices[k] = base + iy * width + ix;
      }
    }
  }
}
