// The transform interface, its two combinators (Compose, RandomApply), and the small helpers the
// random transforms share: drawing a uniform number from a range and checking options.
import type { Generator } from '../../tensor/random.js';
import type { Image } from './image.js';

/**
 * A per-image transform. `apply` never modifies its input: it returns a new image, or the input
 * itself when it changes nothing. Random transforms draw only from `generator`, so the same
 * generator state always gives the same output; deterministic transforms ignore it.
 */
export interface Transform {
  apply(image: Image, generator: Generator): Image;
  /** A short description, e.g. `Rotation(-15..15 degrees, fill 0)`, for logs and the CLI. */
  toString(): string;
}

/** A closed range `[low, high]` of a random parameter. */
export type Range = readonly [number, number];

/**
 * Applies transforms one after another. torchvision: `transforms.Compose`.
 *
 * @example
 * const augment = new Compose([new RandomCrop({ padding: 2 }), new HorizontalFlip(0.5)]);
 */
export class Compose implements Transform {
  readonly transforms: readonly Transform[];

  constructor(transforms: readonly Transform[]) {
    this.transforms = [...transforms];
  }

  apply(image: Image, generator: Generator): Image {
    let out = image;
    for (const t of this.transforms) out = t.apply(out, generator);
    return out;
  }

  toString(): string {
    return `Compose([${this.transforms.map(String).join(', ')}])`;
  }
}

/**
 * Applies `transform` with probability `p`, else returns the image unchanged.
 * torchvision: `transforms.RandomApply([t], p)` (a list here is wrapped in {@link Compose}).
 */
export class RandomApply implements Transform {
  readonly transform: Transform;

  constructor(
    transform: Transform | readonly Transform[],
    readonly p = 0.5,
  ) {
    checkProbability(p, 'RandomApply');
    this.transform = Array.isArray(transform) ? new Compose(transform) : (transform as Transform);
  }

  apply(image: Image, generator: Generator): Image {
    return generator.random() < this.p ? this.transform.apply(image, generator) : image;
  }

  toString(): string {
    return `RandomApply(${String(this.transform)}, p ${this.p})`;
  }
}

/** A uniform draw from `[low, high)`; exactly `low` when the range is a single point (no draw made). */
export function uniform(generator: Generator, [low, high]: Range): number {
  return low === high ? low : low + (high - low) * generator.random();
}

/** Throws unless `p` is a probability. */
export function checkProbability(p: number, where: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${where}: p must be a probability in [0, 1], got ${p}`);
}

/** Throws unless `range` is two finite numbers, low <= high, within [min, max]. */
export function checkRange(range: Range, where: string, min = -Infinity, max = Infinity): Range {
  const [low, high] = range;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high && low >= min && high <= max)) {
    const bounds = min === -Infinity && max === Infinity ? '' : ` within [${min}, ${max}]`;
    throw new RangeError(`${where}: expected a range [low, high] with low <= high${bounds}, got [${low}, ${high}]`);
  }
  return [low, high];
}

/** A `[low, high]` range from either a range or a symmetric amount `a`, meaning `[center - a, center + a]`. */
export function symmetricRange(value: number | Range, center: number, where: string): Range {
  if (typeof value === 'number') {
    if (!(value >= 0 && Number.isFinite(value))) {
      throw new RangeError(`${where}: expected a non-negative amount or a range [low, high], got ${value}`);
    }
    return [center - value, center + value];
  }
  return checkRange(value, where);
}
