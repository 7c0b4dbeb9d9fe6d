/**
 * What `train`, `compare` and `lr-find` share: loading and splitting the data, building the MLP from
 * a seed (so every optimizer in a comparison starts from the same weights), and the run's options.
 */
import {
  DATASET_NAMES,
  loadDataset,
  trainValidationSplit,
  batches,
  batchCount,
  type DatasetName,
} from '../data/index.js';
import { crossEntropy } from '../nn/index.js';
import type { OptimizerLike } from '../optim/optimizer.js';
import { schedulerFromSpec } from '../optim/schedulers/registry.js';
import type { SwitchEvent } from '../optim/switching/index.js';
import { fit, type EpochRecord } from '../train/fit.js';
import { evaluate, type EpochResult } from '../train/loop.js';
import { SUGGESTED_LR, type OptimizerChoice } from './optimizer-spec.js';
import { ProgressBar } from './progress.js';
import { CLI_SCHEDULES, parseScheduleArg, scheduleSpec } from './schedule-presets.js';
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

/** Options of the training runs shared by `train` and `compare`. */
export const TRAINING_OPTIONS: OptionSpec[] = [
  { name: 'epochs', kind: 'integer', min: 1, default: 5, description: 'Passes over the training set' },
  { name: 'schedule', kind: 'string', default: 'none', metavar: 'NAME[:key=value,...]', description: `Learning-rate schedule, stepped every batch: ${CLI_SCHEDULES.join(', ')}; durations in epochs, e.g. step:stepSize=2,gamma=0.5` },
  { name: 'warmup', kind: 'number', min: 0, default: 0, description: 'Epochs of linear warm-up from lr/10 before the schedule' },
  { name: 'clip-norm', kind: 'number', min: 0, exclusiveMin: true, description: 'Clip the global gradient norm to this value before every step' },
]; // prettier-ignore

export interface TrainingRun {
  history: EpochRecord[];
  switches: SwitchEvent[];
}

/**
 * Trains `model` with `optimizer` under the command line's schedule, warm-up and clipping, drawing a
 * progress bar per epoch; `onEpoch` and `onSwitch` see each epoch's record and each switch.
 */
export function trainWithOptions(
  model: Sequential,
  optimizer: OptimizerLike,
  choice: OptimizerChoice,
  data: RunData,
  options: ParsedOptions,
  io: CliIo,
  hooks: { label?: string; onEpoch?: (r: EpochRecord) => void; onSwitch?: (e: SwitchEvent) => void } = {},
): TrainingRun {
  const epochs = options.epochs as number;
  const batchSize = options['batch-size'] as number;
  const spec = scheduleSpec(parseScheduleArg(options.schedule as string), {
    epochs,
    stepsPerEpoch: batchCount(data.train.count, batchSize),
    lr:
      (choice.options.lr as number | undefined) ?? SUGGESTED_LR[choice.name] ?? optimizer.paramGroups[0]!.lr,
    warmupEpochs: options.warmup as number,
  });
  const scheduler = spec ? schedulerFromSpec(optimizer, spec) : undefined;
  const switches: SwitchEvent[] = [];
  (optimizer as { onSwitch?: (fn: (e: SwitchEvent) => void) => unknown }).onSwitch?.((e) => {
    switches.push(e);
    hooks.onSwitch?.(e);
  });
  let bar: ProgressBar | null = null;
  const history = fit(model, optimizer, crossEntropy, data.train, {
    epochs,
    batchSize,
    seed: options.seed as number,
    dtype: options.dtype as 'float32' | 'float64',
    validation: data.validation,
    ...(scheduler ? { scheduler } : {}),
    ...(options['clip-norm'] !== undefined ? { clipNorm: options['clip-norm'] as number } : {}),
    onBatch: (epoch, done, total, running) => {
      if (done === 1)
        bar = new ProgressBar(`${hooks.label ?? 'epoch'} ${epoch}/${epochs}`, total, io.progress);
      bar?.update(done, `loss ${running.toFixed(4)}`);
    },
    onEpoch: (r) => {
      (bar as ProgressBar | null)?.finish();
      hooks.onEpoch?.(r);
    },
  });
  return { history, switches };
}

/** Test-set accuracy and loss of a trained model. */
export function testModel(model: Sequential, data: RunData, options: ParsedOptions): EpochResult {
  const dtype = options.dtype as 'float32' | 'float64';
  return evaluate(model, batches(data.test, { batchSize: 1000, shuffle: false }), crossEntropy, { dtype });
}
