// Photometric transforms: brightness (which darkens too) and contrast.
import type { Generator } from '../../tensor/random.js';
import type { Image } from './image.js';
import { symmetricRange, uniform, type Range, type Transform } from './transform.js';

/**
 * Multiplies every pixel by a factor drawn uniformly from `factor` (a range such as `[0.6, 1.4]`,
 * or an amount `b` meaning `[max(0, 1 - b), 1 + b]`), then clamps to [0, 1]. A factor below 1
 * darkens, above 1 brightens. torchvision: `ColorJitter(brightness=b)` / `adjust_brightness`.
 *
 * @example
 * new Brightness(0.4).apply(image, generator); // a factor in [0.6, 1.4]
 */
export class Brightness implements Transform {
  readonly factor: Range;

  constructor(
    factor: number | Range,
    /** Clamp the result to [0, 1] (torchvision does, for float images). */
    readonly clamp = true,
  ) {
    this.factor = factorRange(factor, 'Brightness');
  }

  apply(image: Image, generator: Generator): Image {
    const f = uniform(generator, this.factor);
    const data = new Float32Array(image.data.length);
    for (let i = 0; i < data.length; i++) data[i] = limit(image.data[i]! * f, this.clamp);
    return { ...image, data };
  }

  toString(): string {
    return `Brightness(${this.factor[0]}..${this.factor[1]})`;
  }
}

/**
 * Scales the distance of every pixel from the image's mean grey level by a factor drawn from
 * `factor` (a range, or an amount `c` meaning `[max(0, 1 - c), 1 + c]`), then clamps to [0, 1]:
 * `out = f * x + (1 - f) * mean`. The mean is that of the greyscale image (ITU-R 601 luma,
 * 0.299 R + 0.587 G + 0.114 B, for RGB). torchvision: `ColorJitter(contrast=c)` / `adjust_contrast`.
 */
export class Contrast implements Transform {
  readonly factor: Range;

  constructor(
    factor: number | Range,
    readonly clamp = true,
  ) {
    this.factor = factorRange(factor, 'Contrast');
  }

  apply(image: Image, generator: Generator): Image {
    const f = uniform(generator, this.factor);
    const mean = greyMean(image);
    const offset = (1 - f) * mean;
    const data = new Float32Array(image.data.length);
    for (let i = 0; i < data.length; i++) data[i] = limit(f * image.data[i]! + offset, this.clamp);
    return { ...image, data };
  }

  toString(): string {
    return `Contrast(${this.factor[0]}..${this.factor[1]})`;
  }
}

/** The mean grey level: the plain mean for one channel, luma for three, the first three channels' luma for four. */
export function greyMean(image: Image): number {
  const plane = image.height * image.width;
  const { data } = image;
  let sum = 0;
  if (image.channels < 3) {
    for (let i = 0; i < plane; i++) sum += data[i]!;
  } else {
    for (let i = 0; i < plane; i++) sum += 0.299 * data[i]! + 0.587 * data[plane + i]! + 0.114 * data[2 * plane + i]!;
  }
  return sum / plane;
}

function factorRange(value: number | Range, where: string): Range {
  const [low, high] = symmetricRange(value, 1, where);
  if (high < 0) throw new RangeError(`${where}: the factor range must include non-negative values, got [${low}, ${high}]`);
  return [Math.max(0, low), high];
}

function limit(x: number, clamp: boolean): number {
  return clamp ? Math.min(1, Math.max(0, x)) : x;
}
