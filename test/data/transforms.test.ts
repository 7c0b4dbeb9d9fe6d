import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ImageSetDataset } from '../../src/data/dataset.js';
import {
  AUGMENTATIONS,
  Brightness,
  Compose,
  Contrast,
  GaussianNoise,
  HorizontalFlip,
  Normalize,
  RandomApply,
  RandomCrop,
  RandomErasing,
  RandomResizedCrop,
  Resize,
  Rotation,
  Scale,
  Translate,
  VerticalFlip,
  channelStats,
  cropPadded,
  parseAugmentSpec,
  resizeBilinear,
  rotate,
  toFloat,
  translate,
  type Image,
  type Transform,
} from '../../src/data/transforms/index.js';
import { Generator } from '../../src/tensor/random.js';

/** A single-channel image from rows of numbers. */
function grey(rows: number[][]): Image {
  return { data: Float32Array.from(rows.flat()), channels: 1, height: rows.length, width: rows[0]!.length };
}

function rows(image: Image, channel = 0): number[][] {
  const out: number[][] = [];
  for (let y = 0; y < image.height; y++) {
    const start = (channel * image.height + y) * image.width;
    out.push(Array.from(image.data.subarray(start, start + image.width)));
  }
  return out;
}

function assertClose(actual: number[][], expected: number[][], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, y) =>
    row.forEach((v, x) =>
      assert.ok(Math.abs(v - expected[y]![x]!) <= tolerance, `(${y}, ${x}): ${v} != ${expected[y]![x]}`),
    ),
  );
}

const f32 = (x: number): number => Math.fround(x);
const NINE = grey([
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
]);

describe('Rotation', () => {
  it('by 90 degrees on a 3x3 image is exactly a transpose then a vertical flip (counter-clockwise)', () => {
    assert.deepEqual(rows(rotate(NINE, 90)), [
      [3, 6, 9],
      [2, 5, 8],
      [1, 4, 7],
    ]);
    assert.deepEqual(rows(rotate(NINE, -90)), [
      [7, 4, 1],
      [8, 5, 2],
      [9, 6, 3],
    ]);
    assert.deepEqual(rows(rotate(NINE, 180)), [
      [9, 8, 7],
      [6, 5, 4],
      [3, 2, 1],
    ]);
  });

  it('by 45 degrees interpolates bilinearly and blends the fill in at the corners', () => {
    // Output corner (0, 0) reads the input at (x 1, y 1 - sqrt 2): 0.586 of pixel (1, 0) and 0.414 of the fill.
    const ones = grey([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    const corner = 2 - Math.SQRT2;
    assertClose(rows(rotate(ones, 45, 0)), [
      [corner, 1, corner],
      [1, 1, 1],
      [corner, 1, corner],
    ]);
    const zeros = grey([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    assertClose(rows(rotate(zeros, 45, 1)), [
      [1 - corner, 0, 1 - corner],
      [0, 0, 0],
      [1 - corner, 0, 1 - corner],
    ]);
  });

  it('draws its angle from the range: a zero-width range is that exact angle', () => {
    const g = new Generator(0);
    assert.deepEqual(rows(new Rotation([90, 90]).apply(NINE, g)), rows(rotate(NINE, 90)));
    const angles = new Set<string>();
    for (let s = 0; s < 20; s++) angles.add(String(new Rotation(30).apply(NINE, new Generator(s)).data));
    assert.ok(angles.size > 15, 'different seeds give different angles');
  });
});

describe('flips and translation', () => {
  const twoChannel: Image = { data: Float32Array.of(1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60), channels: 2, height: 2, width: 3 };

  it('HorizontalFlip(1) mirrors each row of each channel; VerticalFlip(1) the rows', () => {
    const g = new Generator(0);
    assert.deepEqual(Array.from(new HorizontalFlip(1).apply(twoChannel, g).data), [3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40]);
    assert.deepEqual(Array.from(new VerticalFlip(1).apply(twoChannel, g).data), [4, 5, 6, 1, 2, 3, 40, 50, 60, 10, 20, 30]);
    assert.equal(new HorizontalFlip(0).apply(twoChannel, g), twoChannel, 'p = 0 returns the input');
  });

  it('HorizontalFlip(0.5) flips about half the time', () => {
    const g = new Generator(3);
    let flipped = 0;
    for (let i = 0; i < 2000; i++) if (new HorizontalFlip(0.5).apply(twoChannel, g) !== twoChannel) flipped++;
    assert.ok(flipped > 900 && flipped < 1100, `flipped ${flipped} of 2000`);
  });

  it('translate shifts by whole pixels and fills what is uncovered', () => {
    assert.deepEqual(rows(translate(NINE, 1, 0, -1)), [
      [-1, 1, 2],
      [-1, 4, 5],
      [-1, 7, 8],
    ]);
    assert.deepEqual(rows(translate(NINE, -1, 1)), [
      [0, 0, 0],
      [2, 3, 0],
      [5, 6, 0],
    ]);
  });

  it('Translate keeps shifts within maxFraction of the size', () => {
    const image = grey(Array.from({ length: 10 }, (_, y) => Array.from({ length: 10 }, (_, x) => (y === 5 && x === 5 ? 1 : 0))));
    const seen = new Set<string>();
    for (let s = 0; s < 300; s++) {
      const out = new Translate(0.2).apply(image, new Generator(s));
      const at = out.data.indexOf(1);
      const [dy, dx] = [Math.floor(at / 10) - 5, (at % 10) - 5];
      assert.ok(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, `shift (${dx}, ${dy})`);
      seen.add(`${dx},${dy}`);
    }
    assert.equal(seen.size, 25, 'every shift from -2 to 2 on both axes occurs');
  });
});

describe('crops and resizing', () => {
  it('cropPadded pads with a constant, by reflection (edge not repeated) or by repeating the edge', () => {
    const row = grey([[1, 2, 3, 4]]);
    assert.deepEqual(rows(cropPadded(row, 0, -2, 1, 8, 'constant', 9)), [[9, 9, 1, 2, 3, 4, 9, 9]]);
    assert.deepEqual(rows(cropPadded(row, 0, -2, 1, 8, 'reflect')), [[3, 2, 1, 2, 3, 4, 3, 2]]);
    assert.deepEqual(rows(cropPadded(row, 0, -2, 1, 8, 'edge')), [[1, 1, 1, 2, 3, 4, 4, 4]]);
    assert.deepEqual(rows(cropPadded(NINE, 1, 1, 2, 2)), [
      [5, 6],
      [8, 9],
    ]);
  });

  it('RandomCrop with padding p picks each of the (2p + 1)^2 offsets, and the drawn offset is the crop', () => {
    const seen = new Map<string, number>();
    for (let s = 0; s < 400; s++) {
      const g = new Generator(s);
      const predict = new Generator(s);
      const top = predict.integer(0, 3);
      const left = predict.integer(0, 3);
      const out = new RandomCrop({ padding: 1 }).apply(NINE, g);
      assert.deepEqual(rows(out), rows(cropPadded(NINE, top - 1, left - 1, 3, 3)));
      seen.set(`${top},${left}`, (seen.get(`${top},${left}`) ?? 0) + 1);
    }
    assert.equal(seen.size, 9);
  });

  it('RandomCrop to a smaller size stays inside the image without padding', () => {
    const image = grey(Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, x) => 10 * y + x)));
    for (let s = 0; s < 50; s++) {
      const out = rows(new RandomCrop({ size: [2, 3] }).apply(image, new Generator(s)));
      const top = Math.floor(out[0]![0]! / 10);
      const left = out[0]![0]! % 10;
      assert.deepEqual(out, [
        [10 * top + left, 10 * top + left + 1, 10 * top + left + 2],
        [10 * (top + 1) + left, 10 * (top + 1) + left + 1, 10 * (top + 1) + left + 2],
      ]);
    }
    assert.throws(() => new RandomCrop({ size: [6, 6] }).apply(image, new Generator(0)), /larger than the padded image/);
  });

  it('resizeBilinear matches PyTorch interpolate(bilinear, align_corners=False)', () => {
    // torch.nn.functional.interpolate(torch.tensor([[[[0., 1.]]]]), size=(1, 4), mode='bilinear') -> [0, 0.25, 0.75, 1]
    assertClose(rows(resizeBilinear(grey([[0, 1]]), 1, 4)), [[0, 0.25, 0.75, 1]]);
    // Halving averages 2x2 blocks.
    const image = grey([
      [0, 2, 4, 6],
      [2, 4, 6, 8],
      [10, 12, 14, 16],
      [12, 14, 16, 18],
    ]);
    assertClose(rows(resizeBilinear(image, 2, 2)), [
      [2, 6],
      [12, 16],
    ]);
    assert.equal(new Resize([4, 4]).apply(image), image, 'same size: unchanged');
  });

  it('RandomResizedCrop with scale 1 and ratio 1 on a square image is the identity; crops stay inside', () => {
    const image = grey([
      [0, 2, 4, 6],
      [2, 4, 6, 8],
      [10, 12, 14, 16],
      [12, 14, 16, 18],
    ]);
    const full = new RandomResizedCrop({ scale: [1, 1], ratio: [1, 1] });
    assert.deepEqual(rows(full.apply(image, new Generator(0))), rows(image));
    const half = new RandomResizedCrop({ size: [2, 2], scale: [1, 1], ratio: [1, 1] });
    assertClose(rows(half.apply(image, new Generator(0))), [
      [2, 6],
      [12, 16],
    ]);
    const crop = new RandomResizedCrop({ scale: [0.2, 0.6] });
    for (let s = 0; s < 200; s++) {
      const r = crop.region(20, 30, new Generator(s));
      assert.ok(r.top >= 0 && r.left >= 0 && r.top + r.height <= 20 && r.left + r.width <= 30, JSON.stringify(r));
      const area = (r.height * r.width) / 600;
      assert.ok(area > 0.15 && area < 0.7, `area fraction ${area}`);
    }
  });
});

describe('photometric transforms', () => {
  const image = grey([[0.2, 0.5, 0.9]]);

  it('Brightness multiplies and clamps to [0, 1]; a point range draws nothing', () => {
    const g = new Generator(5);
    const before = JSON.stringify(g.getState());
    assert.deepEqual(rows(new Brightness([2, 2]).apply(image, g)), [[f32(0.4), 1, 1]]);
    assert.deepEqual(rows(new Brightness([0.5, 0.5]).apply(image, g)), [[f32(0.1), f32(0.25), f32(0.45)]]);
    assert.equal(JSON.stringify(g.getState()), before);
    assert.deepEqual(new Brightness(0.4).factor, [0.6, 1.4]);
    assert.deepEqual(new Brightness(1.5).factor, [0, 2.5], 'factors never go below 0');
  });

  it('Brightness(0.4) darkens and brightens, with factors in [0.6, 1.4]', () => {
    const mid = grey([[0.5]]);
    let dark = 0;
    for (let s = 0; s < 200; s++) {
      const v = new Brightness(0.4).apply(mid, new Generator(s)).data[0]!;
      assert.ok(v >= 0.3 - 1e-6 && v <= 0.7 + 1e-6, String(v));
      if (v < 0.5) dark++;
    }
    assert.ok(dark > 70 && dark < 130, `darkened ${dark} of 200`);
  });

  it('Contrast blends with the mean grey level and clamps', () => {
    const ramp = grey([[0, 0.5, 1]]);
    assert.deepEqual(rows(new Contrast([0, 0]).apply(ramp, new Generator(0))), [[0.5, 0.5, 0.5]]);
    assert.deepEqual(rows(new Contrast([2, 2]).apply(ramp, new Generator(0))), [[0, 0.5, 1]]);
    assertClose(rows(new Contrast([0.5, 0.5]).apply(grey([[0.2, 0.4]]), new Generator(0))), [[0.25, 0.35]]);
    // RGB uses luma: a pure red image has mean grey 0.299.
    const red: Image = { data: Float32Array.of(1, 0, 0), channels: 3, height: 1, width: 1 };
    assertClose([Array.from(new Contrast([0, 0]).apply(red, new Generator(0)).data)], [[0.299, 0.299, 0.299]]);
  });

  it('GaussianNoise adds noise of the given std, clamped unless told otherwise', () => {
    const flat: Image = { data: new Float32Array(20000).fill(0.5), channels: 1, height: 100, width: 200 };
    const noisy = new GaussianNoise(0.1, { clamp: false }).apply(flat, new Generator(1)).data;
    const mean = noisy.reduce((a, b) => a + b, 0) / noisy.length;
    const std = Math.sqrt(noisy.reduce((a, b) => a + (b - mean) ** 2, 0) / noisy.length);
    assert.ok(Math.abs(mean - 0.5) < 0.005 && Math.abs(std - 0.1) < 0.005, `mean ${mean} std ${std}`);
    const clamped = new GaussianNoise(1).apply(flat, new Generator(1)).data;
    assert.ok(clamped.every((v) => v >= 0 && v <= 1));
    assert.deepEqual(new GaussianNoise(0).apply(image, new Generator(0)).data, image.data);
  });

  it('RandomErasing blanks one rectangle of the requested area and ratio, per-channel values', () => {
    const ones: Image = { data: new Float32Array(2 * 4 * 4).fill(1), channels: 2, height: 4, width: 4 };
    for (let s = 0; s < 30; s++) {
      const out = new RandomErasing({ p: 1, scale: [0.25, 0.25], ratio: [1, 1], value: [0, -1] }).apply(ones, new Generator(s));
      const erased0 = rows(out, 0).flatMap((r, y) => r.map((v, x) => (v === 0 ? [y, x] : null))).filter((p) => p !== null);
      const erased1 = rows(out, 1).flatMap((r, y) => r.map((v, x) => (v === -1 ? [y, x] : null))).filter((p) => p !== null);
      assert.equal(erased0.length, 4);
      assert.deepEqual(erased1, erased0);
      const [y0, x0] = erased0[0]!;
      assert.deepEqual(erased0, [
        [y0, x0],
        [y0, x0! + 1],
        [y0! + 1, x0],
        [y0! + 1, x0! + 1],
      ]);
    }
    assert.equal(new RandomErasing({ p: 0 }).apply(ones, new Generator(0)), ones);
    // A rectangle that can never fit (the whole image) leaves the image unchanged, as torchvision does.
    assert.equal(new RandomErasing({ p: 1, scale: [1, 1], ratio: [1, 1] }).apply(ones, new Generator(0)), ones);
  });
});

describe('combinators, normalisation and statistics', () => {
  it('Compose applies in order; RandomApply with p 0 or 1', () => {
    const g = new Generator(0);
    const flipThenCrop = new Compose([new HorizontalFlip(1), new RandomCrop({ size: [1, 3], padding: 0 })]);
    const out = flipThenCrop.apply(NINE, g);
    assert.equal(out.height, 1);
    assert.ok([[3, 2, 1], [6, 5, 4], [9, 8, 7]].some((r) => JSON.stringify(r) === JSON.stringify(rows(out)[0])));
    assert.equal(new RandomApply(new HorizontalFlip(1), 0).apply(NINE, g), NINE);
    assert.deepEqual(rows(new RandomApply([new HorizontalFlip(1)], 1).apply(NINE, g))[0], [3, 2, 1]);
  });

  it('Normalize subtracts the mean and divides by the std per channel', () => {
    const rgb: Image = { data: Float32Array.of(0.5, 1, 0, 0.5, 1, 1), channels: 3, height: 1, width: 2 };
    const out = new Normalize([0.5, 0.5, 1], [0.5, 0.25, 2]).apply(rgb);
    assert.deepEqual(Array.from(out.data), [0, 1, -2, 0, 0, 0]);
    assert.deepEqual(Array.from(new Normalize(0.5, 0.5).apply(rgb).data), [0, 1, -1, 0, 1, 1]);
    assert.throws(() => new Normalize([0.5, 0.5], [1, 1]).apply(rgb), /2 channel statistics but the image has 3/);
    assert.throws(() => new Normalize([0], [0]), /every std must be positive/);
  });

  it('toFloat scales bytes and reorders interleaved HWC to CHW; Scale multiplies', () => {
    const hwc = Uint8Array.of(255, 0, 51, 0, 255, 102);
    const image = toFloat(hwc, 3, 1, 2, { layout: 'hwc' });
    assert.deepEqual(Array.from(image.data), [1, 0, 0, 1, f32(0.2), f32(0.4)]);
    assert.deepEqual(Array.from(toFloat(Uint8Array.of(2, 4), 1, 1, 2, { scale: 0.5 }).data), [1, 2]);
    assert.deepEqual(Array.from(new Scale(2).apply(image).data), [2, 0, 0, 2, f32(0.4), f32(0.8)]);
  });

  it('channelStats gives the mean and population std over all pixels', () => {
    const images = [grey([[0, 1]]), grey([[1, 1]])];
    const stats = channelStats({ length: 2, get: (i) => ({ image: images[i]!, label: 0 }) });
    assert.ok(Math.abs(stats.mean[0]! - 0.75) < 1e-12);
    assert.ok(Math.abs(stats.std[0]! - Math.sqrt(0.1875)) < 1e-12);
    assert.equal(stats.pixels, 4);
    const set = new ImageSetDataset({
      images: Uint8Array.of(0, 255, 255, 255),
      labels: Uint8Array.of(0, 1),
      count: 2,
      rows: 1,
      cols: 2,
      classes: ['a', 'b'],
    });
    assert.ok(Math.abs(channelStats(set).mean[0]! - 0.75) < 1e-7);
  });
});

describe('reproducibility and purity', () => {
  const image = grey(Array.from({ length: 8 }, (_, y) => Array.from({ length: 8 }, (_, x) => ((x + 2 * y) % 7) / 7)));
  const all: Transform[] = [
    new Brightness(0.4),
    new Contrast(0.4),
    new Rotation(20, 0.5),
    new RandomCrop({ padding: 2, paddingMode: 'reflect' }),
    new RandomResizedCrop({ scale: [0.5, 1] }),
    new HorizontalFlip(),
    new VerticalFlip(),
    new Translate(0.25),
    new GaussianNoise(0.05),
    new RandomErasing({ p: 0.7, value: 'random' }),
  ];

  it('every transform gives identical output from the same seed and never modifies its input', () => {
    const copy = image.data.slice();
    for (const t of all) {
      const a = t.apply(image, new Generator(42));
      const b = t.apply(image, new Generator(42));
      assert.deepEqual(a, b, String(t));
      assert.deepEqual(image.data, copy, `${String(t)} modified its input`);
    }
  });

  it('a full pipeline differs across seeds', () => {
    const pipeline = new Compose(all);
    const outputs = new Set<string>();
    for (let s = 0; s < 10; s++) outputs.add(String(pipeline.apply(image, new Generator(s)).data));
    assert.equal(outputs.size, 10);
  });
});

describe('parseAugmentSpec', () => {
  it('builds the transforms in the order given', () => {
    const pipeline = parseAugmentSpec('brightness=0.4,rotate=15,crop=2,flip');
    assert.deepEqual(
      pipeline.transforms.map((t) => t.constructor.name),
      ['Brightness', 'Rotation', 'RandomCrop', 'HorizontalFlip'],
    );
    assert.deepEqual((pipeline.transforms[0] as Brightness).factor, [0.6, 1.4]);
    assert.deepEqual((pipeline.transforms[1] as Rotation).degrees, [-15, 15]);
    assert.equal((pipeline.transforms[2] as RandomCrop).padding, 2);
    assert.equal((pipeline.transforms[3] as HorizontalFlip).p, 0.5);
    const more = parseAugmentSpec(' brightness=0.6:1.4 , resized-crop=0.5, erase=0.25,vflip=1,noise=0.1,translate=0.1,contrast=0.2,crop-reflect=4 ');
    assert.deepEqual((more.transforms[0] as Brightness).factor, [0.6, 1.4]);
    assert.deepEqual((more.transforms[1] as RandomResizedCrop).scale, [0.5, 1]);
    assert.equal((more.transforms[2] as RandomErasing).p, 0.25);
    assert.equal((more.transforms[7] as RandomCrop).paddingMode, 'reflect');
    assert.equal(parseAugmentSpec('none').transforms.length, 0);
    assert.equal(parseAugmentSpec('').transforms.length, 0);
    for (const name of Object.keys(AUGMENTATIONS)) assert.ok(String(parseAugmentSpec(`${name}=1`)).length > 0);
  });

  it('explains bad specs, listing the valid names', () => {
    assert.throws(() => parseAugmentSpec('rotat=15'), /unknown augmentation 'rotat' \(did you mean 'rotate'\?\); valid: brightness=B, .*flip\[=p\]/);
    assert.throws(() => parseAugmentSpec('sharpen=2'), /unknown augmentation 'sharpen'; valid: /);
    assert.throws(() => parseAugmentSpec('rotate'), /augmentation 'rotate' needs a value: rotate=D/);
    assert.throws(() => parseAugmentSpec('brightness=abc'), /'abc' is not a number/);
    assert.throws(() => parseAugmentSpec('crop=1:3'), /expected a number, got '1:3'/);
    assert.throws(() => parseAugmentSpec('crop=1.5'), /augmentation 'crop=1.5': expected a non-negative integer/);
    assert.throws(() => parseAugmentSpec('flip=2'), /p must be a probability/);
    assert.throws(() => parseAugmentSpec('flip,,rotate=3'), /empty item/);
    assert.throws(() => parseAugmentSpec('toString'), /unknown augmentation/);
  });
});
