/**
 * `descent augment --preview grid.png`: shows what an augmentation spec does to real samples. Each row
 * of the grid is one sample: first the original, then `--count` augmented versions, the ones the
 * DataLoader would produce in epochs 0, 1, 2... with the same seed. Pixels are upscaled (nearest
 * neighbour) so 28x28 images are visible.
 */
import { dirname, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';

import {
  DATASET_NAMES,
  DataLoader,
  ImageSetDataset,
  Subset,
  augmentationHelp,
  loadDataset,
  loadImageFolder,
  parseAugmentSpec,
  type Dataset,
  type DatasetName,
  type ImageSample,
} from '../../data/index.js';
import { encodePng } from '../../report/png.js';
import { writeFileAtomic } from '../../report/write.js';
import { UsageError, type CommandSpec, type ParsedOptions } from '../args.js';
import type { CliIo } from '../io.js';

const DEFAULT_SPEC = 'brightness=0.4,contrast=0.3,rotate=15,crop=2,flip,erase=0.3';

export const augmentCommand: CommandSpec = {
  name: 'augment',
  summary:
    'Preview data augmentation: write a PNG grid whose rows are samples, each shown as the original ' +
    'followed by augmented versions (those of epochs 0, 1, 2... for the seed).',
  options: [
    { name: 'preview', kind: 'string', metavar: 'PATH.png', description: 'Where to write the grid (required)' },
    { name: 'augment', kind: 'string', default: DEFAULT_SPEC, metavar: 'SPEC', description: 'Augmentations, comma-separated name=value items applied in order (see below)' },
    { name: 'dataset', kind: 'string', choices: DATASET_NAMES, default: 'fashion-mnist-subset', description: 'Dataset to draw samples from' },
    { name: 'data-dir', kind: 'string', metavar: 'PATH', description: 'Folder holding the IDX files (as for descent train)' },
    { name: 'download', kind: 'boolean', default: true, description: 'Download the dataset when no local copy is found' },
    { name: 'folder', kind: 'string', metavar: 'DIR', description: 'Use an image folder (one sub-folder per class) instead of --dataset' },
    { name: 'size', kind: 'integer-list', min: 1, metavar: 'H,W', description: 'With --folder: resize images to H,W' },
    { name: 'grayscale', kind: 'boolean', default: false, description: 'With --folder: decode to one channel' },
    { name: 'samples', kind: 'integer', min: 1, max: 64, default: 8, description: 'Rows: samples shown (one per class in turn)' },
    { name: 'count', kind: 'integer', min: 1, max: 64, default: 8, description: 'Augmented versions of each sample' },
    { name: 'seed', kind: 'integer', min: 0, default: 0, description: 'Seed of the augmentation' },
    { name: 'scale', kind: 'integer', min: 1, max: 16, default: 3, description: 'Pixel upscaling factor' },
  ], // prettier-ignore
  epilog:
    `Augmentations (SPEC items; B, C, D, S may also be ranges lo:hi):\n${augmentationHelp()}\n\n` +
    'Example:\n  descent augment --preview augment.png --augment brightness=0.4,rotate=15,crop=2,flip --count 8',
};

/** Grid spacing in output pixels: between cells, and the wider gap after the originals' column. */
const GAP = 2;
const ORIGINAL_GAP = 8;
const BACKGROUND = 255;

export async function runAugment(options: ParsedOptions, io: CliIo): Promise<number> {
  if (options.preview === undefined) {
    throw new UsageError('descent augment: --preview PATH.png is required (where to write the grid)');
  }
  const path = resolve(options.preview as string);
  if (!/\.png$/i.test(path)) {
    throw new UsageError(`descent augment: --preview must end in .png, got '${options.preview as string}'`);
  }
  let transform;
  try {
    transform = parseAugmentSpec(options.augment as string);
  } catch (error) {
    throw new UsageError(`descent augment: --augment: ${(error as Error).message}`);
  }
  const size = options.size as number[] | undefined;
  if (size !== undefined && size.length !== 2) {
    throw new UsageError(`descent augment: --size takes two integers H,W, got '${size.join(',')}'`);
  }

  let dataset: Dataset<ImageSample>;
  let classes: string[];
  let source: string;
  if (options.folder !== undefined) {
    const folder = await loadImageFolder(options.folder as string, {
      grayscale: options.grayscale as boolean,
      ...(size ? { size: [size[0]!, size[1]!] as const } : {}),
    });
    dataset = folder;
    classes = folder.classes;
    source = `image folder ${options.folder as string}`;
  } else {
    const sets = await loadDataset(options.dataset as DatasetName, {
      dataDir: options['data-dir'] as string | undefined,
      download: options.download as boolean,
      log: (line: string) => io.err(line),
    });
    dataset = new ImageSetDataset(sets.train);
    classes = sets.train.classes;
    source = `${options.dataset as string} (training set)`;
  }

  const picked = pickSamples(dataset, classes.length, options.samples as number);
  const rows = new Subset(dataset, picked);
  const count = options.count as number;
  const loader = new DataLoader(rows, { batchSize: rows.length, seed: options.seed as number, transform });
  const originals = rows.length === 0 ? [] : Array.from({ length: rows.length }, (_, i) => rows.get(i).image);
  if (originals.length === 0) throw new Error(`${source} holds no samples`);
  const { channels, height, width } = originals[0]!;
  const versions = Array.from({ length: count }, (_, epoch) => loader.batch(epoch, 0).inputs);
  for (const v of versions) {
    if (v.shape[2] !== height || v.shape[3] !== width) {
      throw new Error(
        `the augmentation changes the image size from ${height}x${width} to ${v.shape[2]}x${v.shape[3]}`,
      );
    }
  }

  const scale = options.scale as number;
  const cellW = width * scale;
  const cellH = height * scale;
  const gridW = GAP + cellW + ORIGINAL_GAP + count * (cellW + GAP);
  const gridH = GAP + rows.length * (cellH + GAP);
  const pixels = new Uint8Array(gridW * gridH * 3).fill(BACKGROUND);
  const plane = height * width;
  const paint = (values: ArrayLike<number>, offset: number, left: number, top: number): void => {
    for (let y = 0; y < cellH; y++) {
      for (let x = 0; x < cellW; x++) {
        const p = Math.floor(y / scale) * width + Math.floor(x / scale);
        const at = ((top + y) * gridW + left + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = values[offset + (channels === 1 ? 0 : c) * plane + p]!;
          pixels[at + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
        }
      }
    }
  };
  originals.forEach((image, row) => {
    const top = GAP + row * (cellH + GAP);
    paint(image.data, 0, GAP, top);
    versions.forEach((batch, k) => {
      paint(
        batch.toTypedArray(),
        row * channels * plane,
        GAP + cellW + ORIGINAL_GAP + k * (cellW + GAP),
        top,
      );
    });
  });

  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, encodePng({ width: gridW, height: gridH, data: pixels }));
  const labels = picked.map((i) => classes[dataset.get(i).label] ?? String(dataset.get(i).label));
  io.out(`Descent: augmentation preview from ${source}`);
  io.out(`  ${String(transform)}`);
  io.out(`  rows: ${labels.join(', ')}`);
  io.out(
    `  columns: the original, then ${count} augmented versions (epochs 0-${count - 1}, seed ${options.seed as number})`,
  );
  io.out(`wrote ${path} (${gridW}x${gridH}, images shown at x${scale})`);
  return 0;
}

/** Indices of up to `count` samples, taking the first unused sample of each class in turn. */
function pickSamples(dataset: Dataset<ImageSample>, classes: number, count: number): number[] {
  const byClass: number[][] = Array.from({ length: Math.max(classes, 1) }, () => []);
  const perClass = Math.ceil(count / Math.max(classes, 1));
  for (let i = 0; i < dataset.length; i++) {
    const list = byClass[dataset.get(i).label];
    if (list && list.length < perClass) list.push(i);
    if (byClass.every((l) => l.length >= perClass)) break;
  }
  const picked: number[] = [];
  for (let round = 0; picked.length < count && round < perClass; round++) {
    for (const list of byClass) if (round < list.length && picked.length < count) picked.push(list[round]!);
  }
  return picked;
}
