// One image as float pixels, channel-major [C, H, W], and the sampling primitives every geometric
// transform is built from: reading a pixel with a fill value outside the image, bilinear sampling,
// and bilinear resizing. Pure: no Node imports.

/** An image as float pixels in channel-major order: `data[(c * height + y) * width + x]`. */
export interface Image {
  /** `channels * height * width` values, usually in [0, 1]. */
  data: Float32Array;
  /** 1 for greyscale, 3 for RGB. */
  channels: number;
  height: number;
  width: number;
}

/** A new image of the given shape, every value `fill`. */
export function createImage(channels: number, height: number, width: number, fill = 0): Image {
  for (const [name, value] of [
    ['channels', channels],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`createImage: ${name} must be a positive integer, got ${value}`);
    }
  }
  const data = new Float32Array(channels * height * width);
  if (fill !== 0) data.fill(fill);
  return { data, channels, height, width };
}

/** A copy of `image` that owns its pixels. */
export function cloneImage(image: Image): Image {
  return { ...image, data: image.data.slice() };
}

/** The image's shape as [C, H, W]. */
export function imageShape(image: Image): [number, number, number] {
  return [image.channels, image.height, image.width];
}

/** Throws unless `image` is a well-formed {@link Image}; `where` names the caller in the message. */
export function checkImage(image: Image, where: string): void {
  const { channels, height, width, data } = image;
  if (!(data instanceof Float32Array)) throw new TypeError(`${where}: image.data must be a Float32Array`);
  if (channels * height * width !== data.length) {
    throw new RangeError(
      `${where}: image of shape [${channels}, ${height}, ${width}] needs ${channels * height * width} values, ` +
        `but data holds ${data.length}`,
    );
  }
}

/**
 * The bilinear interpolation of channel `c` at the real-valued pixel position (x, y), where pixel
 * (i, j) sits at integer coordinates. Neighbours outside the image count as `fill`, so edges blend
 * smoothly into the fill instead of being cut.
 */
export function sampleBilinear(image: Image, c: number, x: number, y: number, fill: number): number {
  // Snap coordinates within rounding error of a pixel centre: a rotation by exactly 90 degrees then
  // copies pixels exactly, instead of mixing in 1e-16 of the fill from cos(pi / 2) != 0.
  const rx = Math.round(x);
  const ry = Math.round(y);
  if (Math.abs(x - rx) < 1e-9) x = rx;
  if (Math.abs(y - ry) < 1e-9) y = ry;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const p00 = pixelOr(image, c, x0, y0, fill);
  const p10 = fx === 0 ? 0 : pixelOr(image, c, x0 + 1, y0, fill);
  const p01 = fy === 0 ? 0 : pixelOr(image, c, x0, y0 + 1, fill);
  const p11 = fx === 0 || fy === 0 ? 0 : pixelOr(image, c, x0 + 1, y0 + 1, fill);
  return (1 - fy) * ((1 - fx) * p00 + fx * p10) + fy * ((1 - fx) * p01 + fx * p11);
}

/** Pixel (x, y) of channel `c`, or `fill` outside the image. */
export function pixelOr(image: Image, c: number, x: number, y: number, fill: number): number {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return fill;
  return image.data[(c * image.height + y) * image.width + x]!;
}

/**
 * Resizes the region `top, left, height, width` of `image` (default: all of it) to `outHeight` x
 * `outWidth` with bilinear interpolation, matching PyTorch's `interpolate(mode='bilinear',
 * align_corners=False, antialias=False)`: output pixel centres map to `(i + 0.5) * scale - 0.5`,
 * and samples beyond the edge repeat the edge pixel.
 */
export function resizeBilinear(
  image: Image,
  outHeight: number,
  outWidth: number,
  region: { top: number; left: number; height: number; width: number } = {
    top: 0,
    left: 0,
    height: image.height,
    width: image.width,
  },
): Image {
  const out = createImage(image.channels, outHeight, outWidth);
  const scaleY = region.height / outHeight;
  const scaleX = region.width / outWidth;
  const xs = axisWeights(outWidth, scaleX, region.width, region.left);
  const ys = axisWeights(outHeight, scaleY, region.height, region.top);
  const { data } = image;
  for (let c = 0; c < image.channels; c++) {
    const plane = c * image.height * image.width;
    for (let i = 0; i < outHeight; i++) {
      const row0 = plane + ys.low[i]! * image.width;
      const row1 = plane + ys.high[i]! * image.width;
      const wy = ys.weight[i]!;
      const target = (c * outHeight + i) * outWidth;
      for (let j = 0; j < outWidth; j++) {
        const x0 = xs.low[j]!;
        const x1 = xs.high[j]!;
        const wx = xs.weight[j]!;
        const top = data[row0 + x0]! * (1 - wx) + data[row0 + x1]! * wx;
        const bottom = data[row1 + x0]! * (1 - wx) + data[row1 + x1]! * wx;
        out.data[target + j] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/** For each output index: the two source indices (absolute) and the weight of the second. */
function axisWeights(
  size: number,
  scale: number,
  regionSize: number,
  offset: number,
): { low: Int32Array; high: Int32Array; weight: Float64Array } {
  const low = new Int32Array(size);
  const high = new Int32Array(size);
  const weight = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const source = Math.max((i + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(source), regionSize - 1);
    low[i] = offset + i0;
    high[i] = offset + Math.min(i0 + 1, regionSize - 1);
    weight[i] = source - i0;
  }
  return { low, high, weight };
}
