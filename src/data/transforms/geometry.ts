// Geometric transforms that keep the image size: flips, rotation and translation.
import type { Generator } from '../../tensor/random.js';
import { createImage, pixelOr, sampleBilinear, type Image } from './image.js';
import { checkProbability, symmetricRange, uniform, type Range, type Transform } from './transform.js';

/**
 * Mirrors the image left to right with probability `p`. torchvision: `RandomHorizontalFlip(p)`.
 */
export class HorizontalFlip implements Transform {
  constructor(readonly p = 0.5) {
    checkProbability(p, 'HorizontalFlip');
  }

  apply(image: Image, generator: Generator): Image {
    if (!(generator.random() < this.p)) return image;
    const { channels, height, width } = image;
    const out = createImage(channels, height, width);
    for (let row = 0; row < channels * height; row++) {
      const start = row * width;
      for (let x = 0; x < width; x++) out.data[start + x] = image.data[start + width - 1 - x]!;
    }
    return out;
  }

  toString(): string {
    return `HorizontalFlip(p ${this.p})`;
  }
}

/**
 * Mirrors the image top to bottom with probability `p`. torchvision: `RandomVerticalFlip(p)`.
 */
export class VerticalFlip implements Transform {
  constructor(readonly p = 0.5) {
    checkProbability(p, 'VerticalFlip');
  }

  apply(image: Image, generator: Generator): Image {
    if (!(generator.random() < this.p)) return image;
    const { channels, height, width } = image;
    const out = createImage(channels, height, width);
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < height; y++) {
        const source = (c * height + (height - 1 - y)) * width;
        out.data.set(image.data.subarray(source, source + width), (c * height + y) * width);
      }
    }
    return out;
  }

  toString(): string {
    return `VerticalFlip(p ${this.p})`;
  }
}

/**
 * Rotates the image counter-clockwise about its centre by an angle in degrees drawn uniformly from
 * `degrees` (a range, or `d` meaning `[-d, d]`), with bilinear interpolation; areas that come from
 * outside the image take `fill`. The size is kept (corners are cut). torchvision:
 * `RandomRotation(degrees, interpolation=BILINEAR, fill=fill)`.
 *
 * Each output pixel (x, y) reads the input at the inverse rotation of its offset from the centre
 * ((W - 1) / 2, (H - 1) / 2): `sx = cx + cos t (x - cx) - sin t (y - cy)`,
 * `sy = cy + sin t (x - cx) + cos t (y - cy)` (y points down, so this turns the picture counter-clockwise).
 */
export class Rotation implements Transform {
  readonly degrees: Range;

  constructor(
    degrees: number | Range,
    readonly fill = 0,
  ) {
    this.degrees = symmetricRange(degrees, 0, 'Rotation');
  }

  apply(image: Image, generator: Generator): Image {
    return rotate(image, uniform(generator, this.degrees), this.fill);
  }

  toString(): string {
    return `Rotation(${this.degrees[0]}..${this.degrees[1]} degrees, fill ${this.fill})`;
  }
}

/** `image` rotated counter-clockwise by `degrees` about its centre (see {@link Rotation}). */
export function rotate(image: Image, degrees: number, fill = 0): Image {
  const { channels, height, width } = image;
  const theta = (degrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const out = createImage(channels, height, width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = cx + cos * (x - cx) - sin * (y - cy);
      const sy = cy + sin * (x - cx) + cos * (y - cy);
      for (let c = 0; c < channels; c++) {
        out.data[(c * height + y) * width + x] = sampleBilinear(image, c, sx, sy, fill);
      }
    }
  }
  return out;
}

/**
 * Shifts the image by a whole number of pixels, at most `maxFraction` of its width horizontally and
 * of its height vertically (a number for both, or `[fx, fy]`): the shift along x is
 * `round(u * fx * W)` for u uniform in [-1, 1), likewise along y. Uncovered pixels take `fill`.
 * torchvision: `RandomAffine(degrees=0, translate=(fx, fy), fill=fill)`.
 */
export class Translate implements Transform {
  readonly maxFraction: Range;

  constructor(
    maxFraction: number | Range,
    readonly fill = 0,
  ) {
    const [fx, fy] = typeof maxFraction === 'number' ? [maxFraction, maxFraction] : maxFraction;
    if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) {
      throw new RangeError(`Translate: maxFraction must be in [0, 1] along each axis, got [${fx}, ${fy}]`);
    }
    this.maxFraction = [fx, fy];
  }

  apply(image: Image, generator: Generator): Image {
    const [fx, fy] = this.maxFraction;
    const dx = Math.round(uniform(generator, [-fx * image.width, fx * image.width]));
    const dy = Math.round(uniform(generator, [-fy * image.height, fy * image.height]));
    return translate(image, dx, dy, this.fill);
  }

  toString(): string {
    return `Translate(${this.maxFraction[0]}, ${this.maxFraction[1]}, fill ${this.fill})`;
  }
}

/** `image` moved `dx` pixels right and `dy` pixels down; uncovered pixels take `fill`. */
export function translate(image: Image, dx: number, dy: number, fill = 0): Image {
  const { channels, height, width } = image;
  const out = createImage(channels, height, width);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        out.data[(c * height + y) * width + x] = pixelOr(image, c, x - dx, y - dy, fill);
      }
    }
  }
  return out;
}
