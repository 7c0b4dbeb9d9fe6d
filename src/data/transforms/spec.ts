// A one-line text form of an augmentation pipeline, for the command line:
// 'brightness=0.4,rotate=15,crop=2,flip' -> Compose([Brightness, Rotation, RandomCrop, HorizontalFlip]).
import { Brightness, Contrast } from './color.js';
import { RandomCrop, RandomResizedCrop } from './crop.js';
import { HorizontalFlip, Rotation, Translate, VerticalFlip } from './geometry.js';
import { GaussianNoise, RandomErasing } from './noise.js';
import { Compose, type Range, type Transform } from './transform.js';

interface Augmentation {
  /** How the value reads in help text, e.g. 'D' or 'P' (empty when none is needed). */
  value: string;
  /** The value used when the name is given alone; undefined when a value is required. */
  default?: number;
  /** Whether a `low:high` range is accepted. */
  range: boolean;
  /** Builds the transform, or throws a message (without the name) describing a bad value. */
  build(value: number | Range): Transform;
  summary: string;
}

const single = (value: number | Range): number => value as number;

/** The augmentations {@link parseAugmentSpec} knows, by name. */
export const AUGMENTATIONS: Readonly<Record<string, Augmentation>> = {
  brightness: { value: 'B', range: true, build: (v) => new Brightness(v), summary: 'multiply by a factor in [1-B, 1+B] (or lo:hi); darkens too' },
  contrast: { value: 'C', range: true, build: (v) => new Contrast(v), summary: 'contrast factor in [1-C, 1+C] (or lo:hi)' },
  rotate: { value: 'D', range: true, build: (v) => new Rotation(v), summary: 'rotate by up to D degrees either way (or lo:hi), bilinear, fill 0' },
  crop: { value: 'P', range: false, build: (v) => new RandomCrop({ padding: integer(single(v)) }), summary: 'pad P pixels with 0 and crop back to size (a shift of up to P)' },
  'crop-reflect': { value: 'P', range: false, build: (v) => new RandomCrop({ padding: integer(single(v)), paddingMode: 'reflect' }), summary: 'as crop, padding by reflection' },
  'resized-crop': { value: 'S', range: true, build: (v) => new RandomResizedCrop({ scale: typeof v === 'number' ? [v, 1] : v }), summary: 'crop S..1 of the area (or lo:hi), ratio 3/4..4/3, resize back' },
  translate: { value: 'F', range: false, build: (v) => new Translate(single(v)), summary: 'shift by up to a fraction F of the size' },
  flip: { value: 'p', default: 0.5, range: false, build: (v) => new HorizontalFlip(single(v)), summary: 'mirror left-right with probability p (default 0.5)' },
  hflip: { value: 'p', default: 0.5, range: false, build: (v) => new HorizontalFlip(single(v)), summary: 'same as flip' },
  vflip: { value: 'p', default: 0.5, range: false, build: (v) => new VerticalFlip(single(v)), summary: 'mirror top-bottom with probability p (default 0.5)' },
  noise: { value: 'STD', range: false, build: (v) => new GaussianNoise(single(v)), summary: 'add gaussian noise of std STD, clamped to [0, 1]' },
  erase: { value: 'p', default: 0.5, range: false, build: (v) => new RandomErasing({ p: single(v) }), summary: 'random erasing with probability p (default 0.5)' },
}; // prettier-ignore

/** One line per augmentation, for --help. */
export function augmentationHelp(): string {
  return Object.entries(AUGMENTATIONS)
    .map(([name, a]) => `  ${(a.value ? `${name}=${a.value}` : name).padEnd(16)}${a.summary}`)
    .join('\n');
}

function integer(v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new Error(`expected a non-negative integer, got ${v}`);
  return v;
}

function validNames(): string {
  return Object.entries(AUGMENTATIONS)
    .map(([name, a]) => (a.default !== undefined ? `${name}[=${a.value}]` : `${name}=${a.value}`))
    .join(', ');
}

/**
 * Parses an augmentation spec: comma-separated `name=value` items applied in the order given, where
 * a value is a number or (for some) a range `low:high`; `flip`, `vflip` and `erase` may stand alone.
 * `''` and `'none'` give an empty pipeline. Errors name the bad item and list the valid names.
 *
 * @example
 * parseAugmentSpec('brightness=0.4,rotate=15,crop=2,flip');
 * parseAugmentSpec('brightness=0.6:1.4,resized-crop=0.5,erase=0.25');
 */
export function parseAugmentSpec(spec: string): Compose {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') return new Compose([]);
  const transforms: Transform[] = [];
  for (const rawItem of trimmed.split(',')) {
    const item = rawItem.trim();
    if (item === '') throw new Error(`augmentation spec '${spec}': empty item (two commas in a row?)`);
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const text = eq < 0 ? undefined : item.slice(eq + 1).trim();
    const augmentation = Object.hasOwn(AUGMENTATIONS, name) ? AUGMENTATIONS[name] : undefined;
    if (augmentation === undefined) {
      const guess = nearest(name, Object.keys(AUGMENTATIONS));
      throw new Error(
        `unknown augmentation '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; valid: ${validNames()}`,
      );
    }
    let value: number | Range;
    if (text === undefined) {
      if (augmentation.default === undefined) {
        throw new Error(`augmentation '${name}' needs a value: ${name}=${augmentation.value} (${augmentation.summary})`);
      }
      value = augmentation.default;
    } else {
      value = parseValue(text, augmentation.range, `${name}=${text}`);
    }
    try {
      transforms.push(augmentation.build(value));
    } catch (error) {
      throw new Error(`augmentation '${item}': ${(error as Error).message}`);
    }
  }
  return new Compose(transforms);
}

function parseValue(text: string, allowRange: boolean, item: string): number | Range {
  const toNumber = (part: string): number => {
    const v = part.trim() === '' ? NaN : Number(part);
    if (!Number.isFinite(v)) {
      throw new Error(`augmentation '${item}': '${part}' is not a number (expected a number${allowRange ? ' or a range low:high' : ''})`);
    }
    return v;
  };
  const parts = text.split(':');
  if (parts.length === 1) return toNumber(parts[0]!);
  if (parts.length === 2 && allowRange) return [toNumber(parts[0]!), toNumber(parts[1]!)];
  throw new Error(`augmentation '${item}': expected a number${allowRange ? ' or a range low:high' : ''}, got '${text}'`);
}

/** The likeliest intended name: a small edit away, or sharing a 4-letter start ('rotation' -> 'rotate'). */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (bestDistance <= Math.max(2, Math.floor(word.length / 3))) return best;
  return word.length >= 4 ? candidates.find((c) => c.startsWith(word.slice(0, 4))) : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}
