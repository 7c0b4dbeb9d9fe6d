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
 */
import type { Im2colSpec } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

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
