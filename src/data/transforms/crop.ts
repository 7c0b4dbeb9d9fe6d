// Transforms that choose a region: random crop with padding, random resized crop, and plain resize.
import type { Generator } from '../../tensor/random.js';
import { createImage, resizeBilinear, type Image } from './image.js';
import { checkRange, uniform, type Range, type Transform } from './transform.js';

/** How {@link RandomCrop} fills its padding. */
export type PaddingMode = 'constant' | 'reflect' | 'edge';

export interface RandomCropOptions {
  /** Output [height, width] (default: the input's size, so the padding becomes a random shift). */
  size?: readonly [number, number];
  /** Pixels added on every side before cropping (default 0). */
  padding?: number;
  /** The padding's value in 'constant' mode (default 0). */
  fill?: number;
  /**
   * 'constant' pads with `fill`; 'reflect' mirrors the image without repeating the edge pixel
   * (`d c b | a b c d | c b a`); 'edge' repeats the edge pixel. Default 'constant'.
   */
  paddingMode?: PaddingMode;
}

/**
 * Pads the image by `padding` pixels on every side, then cuts out a `size` region at a uniformly
 * drawn offset. With the default size (the input's own), this shifts the image by up to `padding`
 * pixels in each direction. torchvision: `RandomCrop(size, padding, fill=fill, padding_mode=mode)`.
 *
 * @example
 * new RandomCrop({ padding: 4, paddingMode: 'reflect' }); // the CIFAR-10 standard, 32x32 kept
 */
export class RandomCrop implements Transform {
  readonly size: readonly [number, number] | undefined;
  readonly padding: number;
  readonly fill: number;
  readonly paddingMode: PaddingMode;

  constructor(options: RandomCropOptions = {}) {
    const { size, padding = 0, fill = 0, paddingMode = 'constant' } = options;
    if (!Number.isInteger(padding) || padding < 0) {
      throw new RangeError(`RandomCrop: padding must be a non-negative integer, got ${padding}`);
    }
    if (!['constant', 'reflect', 'edge'].includes(paddingMode)) {
      throw new RangeError(`RandomCrop: paddingMode must be 'constant', 'reflect' or 'edge', got '${paddingMode}'`);
    }
    this.size = size === undefined ? undefined : checkSize(size, 'RandomCrop');
    this.padding = padding;
    this.fill = fill;
    this.paddingMode = paddingMode;
  }

  apply(image: Image, generator: Generator): Image {
    const pad = this.padding;
    const [outHeight, outWidth] = this.size ?? [image.height, image.width];
    const paddedHeight = image.height + 2 * pad;
    const paddedWidth = image.width + 2 * pad;
    if (outHeight > paddedHeight || outWidth > paddedWidth) {
      throw new RangeError(
        `RandomCrop: crop size [${outHeight}, ${outWidth}] is larger than the padded image ` +
          `[${paddedHeight}, ${paddedWidth}]`,
      );
    }
    if (this.paddingMode === 'reflect' && pad > 0 && (pad >= image.height || pad >= image.width)) {
      throw new RangeError(
        `RandomCrop: reflect padding ${pad} needs an image larger than that on both sides, ` +
          `got [${image.height}, ${image.width}]`,
      );
    }
    // Like torchvision, no draw when the crop covers the whole padded image.
    const top = outHeight === paddedHeight ? 0 : generator.integer(0, paddedHeight - outHeight + 1);
    const left = outWidth === paddedWidth ? 0 : generator.integer(0, paddedWidth - outWidth + 1);
    return cropPadded(image, top - pad, left - pad, outHeight, outWidth, this.paddingMode, this.fill);
  }

  toString(): string {
    const size = this.size ? `size ${this.size.join('x')}, ` : '';
    return `RandomCrop(${size}padding ${this.padding}, ${this.paddingMode === 'constant' ? `fill ${this.fill}` : this.paddingMode})`;
  }
}

/**
 * The `height` x `width` region of `image` whose top-left corner is at (`top`, `left`), which may lie
 * outside the image: pixels outside are filled as `mode` says.
 */
export function cropPadded(
  image: Image,
  top: number,
  left: number,
  height: number,
  width: number,
  mode: PaddingMode = 'constant',
  fill = 0,
): Image {
  const out = createImage(image.channels, height, width);
  const rows = Int32Array.from({ length: height }, (_, y) => sourceIndex(top + y, image.height, mode));
  const cols = Int32Array.from({ length: width }, (_, x) => sourceIndex(left + x, image.width, mode));
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < height; y++) {
      const sy = rows[y]!;
      const target = (c * height + y) * width;
      const source = (c * image.height + sy) * image.width;
      for (let x = 0; x < width; x++) {
        const sx = cols[x]!;
        out.data[target + x] = sy < 0 || sx < 0 ? fill : image.data[source + sx]!;
      }
    }
  }
  return out;
}

/** The source index for position `i` along an axis of length `n`, or -1 for the constant fill. */
function sourceIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (n === 1) return 0;
  // Reflect about the first and last pixels, with period 2 (n - 1).
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

export interface RandomResizedCropOptions {
  /** Output [height, width] (default: the input's size). */
  size?: readonly [number, number];
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1], as torchvision). */
  scale?: Range;
  /** Range of the crop's aspect ratio width / height, drawn log-uniformly (default [3/4, 4/3]). */
  ratio?: Range;
}

/**
 * Cuts out a random region whose area is a fraction of the image drawn from `scale` and whose aspect
 * ratio is drawn log-uniformly from `ratio`, then resizes it to `size` with bilinear interpolation.
 * Up to 10 draws are tried for a region that fits; failing that, the central crop closest to the
 * ratio range is used. torchvision: `RandomResizedCrop(size, scale, ratio)` (here without antialias).
 */
export class RandomResizedCrop implements Transform {
  readonly size: readonly [number, number] | undefined;
  readonly scale: Range;
  readonly ratio: Range;

  constructor(options: RandomResizedCropOptions = {}) {
    this.size = options.size === undefined ? undefined : checkSize(options.size, 'RandomResizedCrop');
    this.scale = checkRange(options.scale ?? [0.08, 1], 'RandomResizedCrop: scale', 0, 1);
    this.ratio = checkRange(options.ratio ?? [3 / 4, 4 / 3], 'RandomResizedCrop: ratio', Number.MIN_VALUE);
  }

  apply(image: Image, generator: Generator): Image {
    const region = this.region(image.height, image.width, generator);
    const [outHeight, outWidth] = this.size ?? [image.height, image.width];
    return resizeBilinear(image, outHeight, outWidth, region);
  }

  /** The crop for an image of `height` x `width`: torchvision's `RandomResizedCrop.get_params`. */
  region(height: number, width: number, generator: Generator): { top: number; left: number; height: number; width: number } {
    const area = height * width;
    const logRatio: Range = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const targetArea = area * uniform(generator, this.scale);
      const aspect = Math.exp(uniform(generator, logRatio));
      const w = Math.round(Math.sqrt(targetArea * aspect));
      const h = Math.round(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        return { top: generator.integer(0, height - h + 1), left: generator.integer(0, width - w + 1), height: h, width: w };
      }
    }
    const inRatio = width / height;
    let w = width;
    let h = height;
    if (inRatio < this.ratio[0]) h = Math.round(w / this.ratio[0]);
    else if (inRatio > this.ratio[1]) w = Math.round(h * this.ratio[1]);
    return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
  }

  toString(): string {
    const size = this.size ? `size ${this.size.join('x')}, ` : '';
    return `RandomResizedCrop(${size}scale ${this.scale[0]}..${this.scale[1]}, ratio ${this.ratio[0].toFixed(3)}..${this.ratio[1].toFixed(3)})`;
  }
}

/**
 * Resizes the image to `size` = [height, width] with bilinear interpolation (align_corners=False, no
 * antialias). torchvision: `Resize(size, interpolation=BILINEAR, antialias=False)`.
 */
export class Resize implements Transform {
  readonly size: readonly [number, number];

  constructor(size: readonly [number, number]) {
    this.size = checkSize(size, 'Resize');
  }

  apply(image: Image): Image {
    const [h, w] = this.size;
    return h === image.height && w === image.width ? image : resizeBilinear(image, h, w);
  }

  toString(): string {
    return `Resize(${this.size.join('x')})`;
  }
}

function checkSize(size: readonly [number, number], where: string): readonly [number, number] {
  if (size.length !== 2 || !size.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`${where}: size must be [height, width], two positive integers, got [${size.join(', ')}]`);
  }
  return [size[0], size[1]];
}
