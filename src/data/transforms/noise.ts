// Transforms that add or blank out information: gaussian noise and random erasing.
import type { Generator } from '../../tensor/random.js';
import type { Image } from './image.js';
import { checkProbability, checkRange, uniform, type Range, type Transform } from './transform.js';

export interface GaussianNoiseOptions {
  /** Mean of the noise (default 0). */
  mean?: number;
  /** Clamp the result to [0, 1] (default true). */
  clamp?: boolean;
}

/**
 * Adds independent normal noise of standard deviation `std` (and mean `mean`) to every pixel, then
 * optionally clamps to [0, 1]. torchvision: `transforms.v2.GaussianNoise(mean, sigma=std, clip=clamp)`.
 */
export class GaussianNoise implements Transform {
  readonly mean: number;
  readonly clamp: boolean;

  constructor(
    readonly std: number,
    options: GaussianNoiseOptions = {},
  ) {
    if (!(std >= 0 && Number.isFinite(std))) throw new RangeError(`GaussianNoise: std must be >= 0, got ${std}`);
    this.mean = options.mean ?? 0;
    this.clamp = options.clamp ?? true;
  }

  apply(image: Image, generator: Generator): Image {
    const data = new Float32Array(image.data.length);
    for (let i = 0; i < data.length; i++) {
      const x = image.data[i]! + this.mean + this.std * generator.normal();
      data[i] = this.clamp ? Math.min(1, Math.max(0, x)) : x;
    }
    return { ...image, data };
  }

  toString(): string {
    return `GaussianNoise(std ${this.std}${this.mean ? `, mean ${this.mean}` : ''}${this.clamp ? ', clamped' : ''})`;
  }
}

export interface RandomErasingOptions {
  /** Probability of erasing at all (default 0.5). */
  p?: number;
  /** Range of the erased area as a fraction of the image (default [0.02, 0.33]). */
  scale?: Range;
  /** Range of the erased rectangle's aspect ratio height / width, drawn log-uniformly (default [0.3, 3.3]). */
  ratio?: Range;
  /** The value written: one number, one per channel, or 'random' for standard normal noise (default 0). */
  value?: number | readonly number[] | 'random';
}

/**
 * With probability `p`, blanks a random rectangle whose area fraction comes from `scale` and whose
 * aspect ratio comes log-uniformly from `ratio` (Zhong et al. 2017, "Random Erasing Data
 * Augmentation"). Up to 10 draws are tried for a rectangle strictly smaller than the image; if none
 * fits, the image is returned unchanged. torchvision: `RandomErasing(p, scale, ratio, value)`.
 */
export class RandomErasing implements Transform {
  readonly p: number;
  readonly scale: Range;
  readonly ratio: Range;
  readonly value: number | readonly number[] | 'random';

  constructor(options: RandomErasingOptions = {}) {
    this.p = options.p ?? 0.5;
    checkProbability(this.p, 'RandomErasing');
    this.scale = checkRange(options.scale ?? [0.02, 0.33], 'RandomErasing: scale', 0, 1);
    this.ratio = checkRange(options.ratio ?? [0.3, 3.3], 'RandomErasing: ratio', Number.MIN_VALUE);
    this.value = options.value ?? 0;
  }

  apply(image: Image, generator: Generator): Image {
    if (!(generator.random() < this.p)) return image;
    const { channels, height, width } = image;
    if (Array.isArray(this.value) && this.value.length !== channels) {
      throw new RangeError(
        `RandomErasing: value has ${this.value.length} entries but the image has ${channels} channels`,
      );
    }
    const area = height * width;
    const logRatio: Range = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = area * uniform(generator, this.scale);
      const aspect = Math.exp(uniform(generator, logRatio));
      const h = Math.round(Math.sqrt(eraseArea * aspect));
      const w = Math.round(Math.sqrt(eraseArea / aspect));
      if (!(h < height && w < width)) continue;
      const top = generator.integer(0, height - h + 1);
      const left = generator.integer(0, width - w + 1);
      const data = image.data.slice();
      for (let c = 0; c < channels; c++) {
        const value = typeof this.value === 'number' ? this.value : Array.isArray(this.value) ? this.value[c]! : 0;
        for (let y = top; y < top + h; y++) {
          const row = (c * height + y) * width;
          for (let x = left; x < left + w; x++) data[row + x] = this.value === 'random' ? generator.normal() : value;
        }
      }
      return { ...image, data };
    }
    return image;
  }

  toString(): string {
    const value = Array.isArray(this.value) ? `[${this.value.join(', ')}]` : String(this.value);
    return `RandomErasing(p ${this.p}, scale ${this.scale[0]}..${this.scale[1]}, ratio ${this.ratio[0]}..${this.ratio[1]}, value ${value})`;
  }
}
