/**
 * What `train`, `compare` and `lr-find` share: loading and splitting the data, building the MLP from
 * a seed (so every optimizer in a comparison starts from the same weights), and the run's options.
 */
import { DATASET_NAMES, loadDataset, trainValidationSplit, type DatasetName } from '../data/index.js';
import type { ImageSet } from '../data/image-set.js';
import { manualSeed } from '../tensor/random.js';
import { buildMlp, ACTIVATIONS, type ActivationName } from '../nn/mlp.js';
import type { Sequential } from '../nn/layers/sequential.js';
import { statSync } from 'node:fs';
import { UsageError, type OptionSpec, type ParsedOptions } from './args.js';
import type { CliIo } from './io.js';

export const DATA_OPTIONS: OptionSpec[] = [
  { name: 'dataset', kind: 'string', choices: DATASET_NAMES, default: 'fashion-mnist-subset', description: 'Dataset: the embedded Fashion-MNIST subset (offline), the full Fashion-MNIST, or MNIST' },
  { name: 'data-dir', kind: 'string', metavar: 'PATH', description: 'Folder holding the IDX files (else $DESCENT_DATA_DIR, /usr/share/datasets, the user cache, then a download)' },
  { name: 'download', kind: 'boolean', default: true, description: 'Download the dataset when no local copy is found (--no-download to forbid)' },
  { name: 'validation', kind: 'integer', min: 0, description: 'Training images held out for validation (default: one sixth, 10,000 of 60,000)' },
]; // prettier-ignore

export const MODEL_OPTIONS: OptionSpec[] = [
  { name: 'hidden', kind: 'integer-list', min: 1, default: [256, 128], description: 'Hidden layer sizes, comma-separated' },
  { name: 'activation', kind: 'string', choices: Object.keys(ACTIVATIONS), default: 'relu', description: 'Hidden-layer activation' },
  { name: 'batch-size', kind: 'integer', min: 1, default: 128, description: 'Mini-batch size' },
  { name: 'seed', kind: 'integer', min: 0, default: 0, description: 'Seed of the initial weights and the batch order' },
  { name: 'dtype', kind: 'string', choices: ['float32', 'float64'], default: 'float32', description: 'Floating-point precision' },
]; // prettier-ignore

export interface RunData {
  name: DatasetName;
  source: string;
  train: ImageSet;
  validation: ImageSet;
  test: ImageSet;
  classes: number;
}

export async function loadRunData(options: ParsedOptions, io: CliIo): Promise<RunData> {
  const name = options.dataset as DatasetName;
  const dataDir = options['data-dir'] as string | undefined;
  // An explicit folder that is not there is a typo, not a reason to quietly use another copy.
  if (dataDir !== undefined && !statSync(dataDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`descent: --data-dir '${dataDir}' is not a directory`);
  }
  const sets = await loadDataset(name, {
    dataDir: options['data-dir'] as string | undefined,
    download: options.download as boolean,
    log: (line: string) => io.err(line),
  });
  const { train, validation } = trainValidationSplit(sets.train, options.validation as number | undefined);
  return {
    name,
    source: sets.location.label,
    train,
    validation,
    test: sets.test,
    classes: sets.train.classes.length,
  };
}

export interface ModelSetup {
  model: Sequential;
  sizes: number[];
  activation: ActivationName;
}

/** The MLP for the data, its weights drawn from `seed`: the same seed gives the same initial weights. */
export function buildModel(options: ParsedOptions, data: RunData): ModelSetup {
  manualSeed(options.seed as number);
  const sizes = [data.train.rows * data.train.cols, ...(options.hidden as number[]), data.classes];
  const activation = options.activation as ActivationName;
  const model = buildMlp(sizes, activation, { dtype: options.dtype as 'float32' | 'float64' });
  return { model, sizes, activation };
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '-';
}
