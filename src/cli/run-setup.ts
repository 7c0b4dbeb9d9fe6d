/**
 * What the commands share: loading and splitting the data, building the model (the MLP or CNN preset)
 * from a seed (so every optimizer in a comparison starts from the same weights), the run's options,
 * and, for `inspect`, `evaluate` and `predict`, loading a trained model back from a checkpoint.
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
import type { EpochRecord } from '../train/fit.js';
import type { History } from '../train/history.js';
import { fit as fitTrainer, type TrainData } from '../train/trainer.js';
import { fromLoader } from '../train/data-source.js';
import { DataLoader } from '../data/loader.js';
import { ImageSetDataset } from '../data/dataset.js';
import { parseAugmentSpec } from '../data/transforms/spec.js';
import type { Transform } from '../data/transforms/transform.js';
import type { Callback } from '../train/callbacks/callback.js';
import { ModelCheckpoint } from '../train/callbacks/model-checkpoint.js';
import { JsonlLogger } from '../train/callbacks/jsonl-logger.js';
import { evaluate, type EpochResult } from '../train/loop.js';
import { SUGGESTED_LR, type OptimizerChoice } from './optimizer-spec.js';
import { ProgressBar } from './progress.js';
import { CLI_SCHEDULES, parseScheduleArg, scheduleSpec } from './schedule-presets.js';
import type { ImageSet } from '../data/image-set.js';
import { manualSeed } from '../tensor/random.js';
import { setBackend } from '../backend/backend.js';
// Every backend registers itself on import, so that --backend and DESCENT_BACKEND can name it.
import '../backend/wasm/index.js';
import { ACTIVATIONS, type ActivationName } from '../nn/mlp.js';
import type { Sequential } from '../nn/layers/sequential.js';
import {
  MODEL_SPEC_METADATA_KEY,
  MODEL_TYPES,
  ModelSpecError,
  cnnFeatureShape,
  describeModel,
  inferModelSpec,
  modelFromSpec,
  resolveModelSpec,
  type ModelSpec,
  type ModelType,
} from '../nn/presets.js';
import {
  latestCheckpoint,
  listCheckpoints,
  loadSafetensors,
  MODEL_FILE,
  STATE_FILE,
} from '../train/checkpoint.js';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../data/mnist.js';
import type { DType } from '../tensor/dtype.js';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { givenOptions, UsageError, type OptionSpec, type ParsedOptions } from './args.js';
import type { CliIo } from './io.js';

export const DATA_OPTIONS: OptionSpec[] = [
  { name: 'dataset', kind: 'string', choices: DATASET_NAMES, default: 'fashion-mnist-subset', description: 'Dataset: the embedded Fashion-MNIST subset (offline), the full Fashion-MNIST, or MNIST' },
  { name: 'data-dir', kind: 'string', metavar: 'PATH', description: 'Folder holding the IDX files (else $DESCENT_DATA_DIR, /usr/share/datasets, the user cache, then a download)' },
  { name: 'download', kind: 'boolean', default: true, description: 'Download the dataset when no local copy is found (--no-download to forbid)' },
  { name: 'validation', kind: 'integer', min: 0, description: 'Training images held out for validation (default: one sixth, 10,000 of 60,000)' },
]; // prettier-ignore

/** The architecture options; the model's defaults are in MODEL_DEFAULTS (nn/presets.ts). */
const ARCHITECTURE_OPTIONS: OptionSpec[] = [
  { name: 'model', kind: 'string', choices: MODEL_TYPES, description: 'Architecture: mlp (Linear layers of sizes --hidden) or cnn (Conv3x3-activation-MaxPool2 blocks of --channels, then Linear layers of sizes --hidden) (default: mlp)' },
  { name: 'hidden', kind: 'integer-list', min: 1, description: 'Hidden Linear layer sizes, comma-separated (default: 256,128 for mlp, 128 for cnn)' },
  { name: 'channels', kind: 'integer-list', min: 1, description: 'cnn: output channels of the convolution blocks, comma-separated (default: 32,64)' },
]; // prettier-ignore

export const MODEL_OPTIONS: OptionSpec[] = [
  ...ARCHITECTURE_OPTIONS,
  { name: 'activation', kind: 'string', choices: Object.keys(ACTIVATIONS), default: 'relu', description: 'Hidden-layer activation' },
  { name: 'batch-size', kind: 'integer', min: 1, default: 128, description: 'Mini-batch size' },
  { name: 'backend', kind: 'string', choices: ['js', 'wasm'], description: 'Compute backend (default: $DESCENT_BACKEND, else js; wasm is the WebAssembly SIMD one)' },
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
  /** The Linear layers' sizes: input, hidden..., classes (for a CNN, from the flattened features). */
  sizes: number[];
  activation: ActivationName;
  /** The architecture; save it with a checkpoint (`modelSpecMetadata`) so that it can be rebuilt. */
  spec: ModelSpec;
  /** One line, e.g. 'MLP 784-256-128-10 (relu)' or 'CNN 1x28x28, conv 32-64 (3x3, max-pool 2), ...'. */
  description: string;
}

/**
 * The architecture the options ask for, for images of `imageShape` [C, H, W] and `classes` classes:
 * --model (default mlp), --hidden and --channels (defaults per model), --activation.
 */
export function modelSpecFromOptions(
  options: ParsedOptions,
  imageShape: [number, number, number],
  classes: number,
  command = 'train',
): ModelSpec {
  const type = (options.model as ModelType | undefined) ?? 'mlp';
  const hidden = options.hidden as number[] | undefined;
  const channels = options.channels as number[] | undefined;
  if (type === 'mlp' && channels !== undefined) {
    throw new UsageError(`descent ${command}: --channels applies to --model cnn, not mlp`);
  }
  try {
    return resolveModelSpec(
      type === 'mlp'
        ? {
            type,
            inputSize: imageShape[0] * imageShape[1] * imageShape[2],
            hidden,
            classes,
            activation: options.activation,
          }
        : { type, inputShape: imageShape, channels, hidden, classes, activation: options.activation },
      'the model',
    );
  } catch (error) {
    if (error instanceof ModelSpecError) throw new UsageError(`descent ${command}: ${error.message}`);
    throw error;
  }
}

/** The model for the data, its weights drawn from `seed`: the same seed gives the same initial weights. */
export function buildModel(options: ParsedOptions, data: RunData, command = 'train'): ModelSetup {
  if (options.backend !== undefined) setBackend(options.backend as string);
  const spec = modelSpecFromOptions(options, [1, data.train.rows, data.train.cols], data.classes, command);
  manualSeed(options.seed as number);
  const model = modelFromSpec(spec, { dtype: options.dtype as 'float32' | 'float64' });
  return {
    model,
    sizes: linearSizes(spec),
    activation: spec.activation,
    spec,
    description: describeModel(spec),
  };
}

function linearSizes(spec: ModelSpec): number[] {
  if (spec.type === 'mlp') return [spec.inputSize, ...spec.hidden, spec.classes];
  const [c, h, w] = cnnFeatureShape(spec);
  return [c * h * w, ...spec.hidden, spec.classes];
}

/**
 * Safetensors metadata recording a model's architecture (and class names), for `writeCheckpoint`'s or
 * `saveSafetensors`' metadata: `descent inspect/evaluate/predict` rebuild the model from it.
 */
export function modelSpecMetadata(spec: ModelSpec, classNames?: readonly string[]): Record<string, string> {
  return {
    [MODEL_SPEC_METADATA_KEY]: JSON.stringify(spec),
    ...(classNames ? { [CLASS_NAMES_METADATA_KEY]: JSON.stringify(classNames) } : {}),
  };
}

/** The metadata key of the class names in a checkpoint's model.safetensors (a JSON array of strings). */
export const CLASS_NAMES_METADATA_KEY = 'descent.classes';

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '-';
}

/** Options of the training runs shared by `train` and `compare`. */
export const TRAINING_OPTIONS: OptionSpec[] = [
  { name: 'epochs', kind: 'integer', min: 1, default: 5, description: 'Passes over the training set' },
  { name: 'schedule', kind: 'string', default: 'none', metavar: 'NAME[:key=value,...]', description: `Learning-rate schedule, stepped every batch: ${CLI_SCHEDULES.join(', ')}; durations in epochs, e.g. step:stepSize=2,gamma=0.5`, check: (v) => void parseScheduleArg(v) },
  { name: 'warmup', kind: 'number', min: 0, default: 0, description: 'Epochs of linear warm-up from lr/10 before the schedule' },
  { name: 'clip-norm', kind: 'number', min: 0, exclusiveMin: true, description: 'Clip the global gradient norm to this value before every step' },
  { name: 'augment', kind: 'string', metavar: 'SPEC', description: 'Augment every training image afresh each epoch (seeded), e.g. brightness=0.4,rotate=10,crop=2,flip; see descent augment --help', check: (v) => void augmentTransform({ augment: v }) },
]; // prettier-ignore

export interface TrainingRun {
  history: EpochRecord[];
  switches: SwitchEvent[];
  /** The trainer's history of the whole run (a resumed run's earlier sessions included). */
  fit: History;
  /** The loss and lr of every step of this session (a resumed run's start from its checkpoint). */
  steps: StepPoint[];
}

/** One optimizer step: its number from the run's start, its batch's loss, and the lr it used. */
export interface StepPoint {
  step: number;
  loss: number;
  lr: number;
}

export interface TrainingHooks {
  /** Shown before the progress bar (default 'epoch'). */
  label?: string;
  onEpoch?: (r: EpochRecord) => void;
  onSwitch?: (e: SwitchEvent) => void;
  /** Write resumable checkpoints (`last`, `best`) into this directory after every epoch. */
  checkpointDir?: string;
  /** Also replace `last` every this many optimizer steps, mid-epoch (0 or absent: after epochs only). */
  checkpointEvery?: number;
  /** Resume from this checkpoint (or the newest checkpoint in this directory). */
  resumeFrom?: string;
  /** Append one JSON line per epoch and per 50 steps to this file (the Runs view reads it). */
  logPath?: string;
}

/**
 * Trains `model` with `optimizer` under the command line's schedule, warm-up and clipping through the
 * trainer (src/train), drawing a progress bar per epoch, checkpointing and logging when asked;
 * `onEpoch` and `onSwitch` see each epoch's record and each switch.
 */
export function trainWithOptions(
  model: Sequential,
  optimizer: OptimizerLike,
  choice: OptimizerChoice,
  data: RunData,
  options: ParsedOptions,
  io: CliIo,
  hooks: TrainingHooks = {},
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
  let bar: ProgressBar | null = null;
  const records: EpochRecord[] = [];
  const pending: SwitchEvent[] = [];
  const steps: StepPoint[] = [];
  const report: Callback = {
    name: 'cli-report',
    onBatchEnd: (trainer, log) => {
      steps.push({ step: log.step, loss: log.loss, lr: log.lr });
      if (log.batch === 1 || bar === null)
        bar = new ProgressBar(
          `${hooks.label ?? 'epoch'} ${log.epoch}/${epochs}`,
          trainer.stepsPerEpoch,
          io.progress,
        );
      bar.update(log.batch, `loss ${log.loss.toFixed(4)}`);
    },
    onEpochEnd: (_trainer, log) => {
      (bar as ProgressBar | null)?.finish();
      bar = null;
      const record: EpochRecord = {
        epoch: log.epoch,
        trainLoss: log.loss,
        trainAccuracy: log.metrics.accuracy ?? NaN,
        valLoss: log.valLoss,
        valAccuracy: log.valMetrics.accuracy ?? NaN,
        lr: log.lr,
        optimizer: log.optimizer,
        gradNorm: log.gradNorm,
        seconds: log.seconds,
      };
      records.push(record);
      hooks.onEpoch?.(record);
      // A switch at an epoch's end is reported after that epoch's line, where it reads in order.
      for (const event of pending.splice(0)) hooks.onSwitch?.(event);
    },
    onSwitch: (_trainer, event) => {
      switches.push(event);
      pending.push(event);
    },
  };
  const callbacks: Callback[] = [report];
  if (hooks.checkpointDir) {
    callbacks.push(
      new ModelCheckpoint(hooks.checkpointDir, {
        monitor: 'valLoss',
        lastEverySteps: hooks.checkpointEvery ?? 0,
      }),
    );
  }
  if (hooks.logPath) callbacks.push(new JsonlLogger(hooks.logPath));
  const fit = fitTrainer(model, trainingSource(data, options), {
    epochs,
    optimizer,
    batchSize,
    seed: options.seed as number,
    dtype: options.dtype as 'float32' | 'float64',
    validation: data.validation,
    ...(scheduler ? { scheduler } : {}),
    ...(options['clip-norm'] !== undefined ? { clipNorm: options['clip-norm'] as number } : {}),
    callbacks,
    ...(hooks.resumeFrom ? { resume: hooks.resumeFrom } : {}),
  });
  return { history: records, switches, fit, steps };
}

/** The --augment transform, or null without one; a bad spec is a usage error (checked before data loads). */
export function augmentTransform(options: ParsedOptions): Transform | null {
  const spec = options.augment as string | undefined;
  if (spec === undefined) return null;
  try {
    return parseAugmentSpec(spec);
  } catch (error) {
    throw new UsageError(`descent: --augment: ${(error as Error).message}`);
  }
}

/**
 * The training batches: the image set itself, or with --augment a DataLoader that augments every
 * image afresh each epoch from (seed, epoch, sample). Batches are flattened to [N, features], which
 * both presets take (the CNN unflattens them).
 */
function trainingSource(data: RunData, options: ParsedOptions): TrainData {
  const transform = augmentTransform(options);
  if (transform === null) return data.train;
  const loader = new DataLoader(new ImageSetDataset(data.train), {
    batchSize: options['batch-size'] as number,
    shuffle: true,
    seed: options.seed as number,
    transform,
  });
  const source = fromLoader(loader);
  return {
    ...source,
    batches: function* (epoch: number, start?: number) {
      for (const batch of source.batches(epoch, start)) {
        yield { ...batch, inputs: batch.inputs.reshape([batch.inputs.shape[0]!, -1]) };
      }
    },
  };
}

/** Test-set accuracy and loss of a trained model. */
export function testModel(model: Sequential, data: RunData, options: ParsedOptions): EpochResult {
  const dtype = options.dtype as 'float32' | 'float64';
  return evaluate(model, batches(data.test, { batchSize: 1000, shuffle: false }), crossEntropy, { dtype });
}

// ---- trained models, from checkpoints ----

/** The options of the commands that load a trained model: the checkpoint, and the architecture when it is not recorded. */
export const CHECKPOINT_OPTIONS: OptionSpec[] = [
  { name: 'checkpoint', kind: 'string', metavar: 'DIR', description: 'A checkpoint directory (holding model.safetensors), a folder of checkpoints (the latest is used), or a .safetensors file (required)' },
  ...ARCHITECTURE_OPTIONS.map((o) => ({ ...o, description: `${o.description}; only for checkpoints that do not record their architecture` })),
  { name: 'activation', kind: 'string', choices: Object.keys(ACTIVATIONS), description: 'Hidden-layer activation, for checkpoints that do not record it (default: relu)' },
]; // prettier-ignore

export interface TrainedModel {
  /** The model with the checkpoint's weights, in eval mode. */
  model: Sequential;
  spec: ModelSpec;
  description: string;
  /**
   * Where the architecture came from: the checkpoint ('descent.model' metadata or trainer-state.json),
   * the options of the training run (descent-run.json), the command line, or the weights' shapes.
   */
  specSource: 'checkpoint' | 'run' | 'options' | 'weights';
  /** The weights file read. */
  weightsFile: string;
  /** The checkpoint directory (null for a bare .safetensors file). */
  dir: string | null;
  /** The training step the checkpoint was taken at, when it records one. */
  step: number | null;
  /** Class names: the checkpoint's, else the dataset's when the count matches, else '0', '1', ... */
  classNames: string[];
  dtype: DType;
  /**
   * The command line's options, with the data options (--dataset, --data-dir, --download,
   * --validation) the command line did not give taken from the training run when it is known: so
   * `evaluate` measures on the run's dataset and held-out split by default.
   */
  options: ParsedOptions;
}

/**
 * The file `descent train --checkpoint DIR` writes into DIR with the run's options (see train.ts):
 * `{"command": "train", "options": {...}}`. The checkpoints themselves are DIR/last and DIR/best.
 */
export const RUN_CONFIG_FILE = 'descent-run.json';

/** The data options a trained model's run decides unless the command line gives them. */
const RUN_DATA_OPTIONS = ['dataset', 'data-dir', 'download', 'validation'];

/** The class names of a dataset by CLI name, without loading it. */
function datasetClassNames(name: unknown): readonly string[] {
  return name === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES;
}

function parseJsonMetadata(metadata: Record<string, string> | null, key: string, file: string): unknown {
  const text = metadata?.[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: the metadata '${key}' is not valid JSON (${(error as Error).message})`);
  }
}

/** The `model` field of a checkpoint's trainer-state.json, when there is one. */
function stateFileSpec(dir: string): unknown {
  try {
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as Record<string, unknown>;
    return state?.model;
  } catch {
    return undefined;
  }
}

/** The options of the training run a checkpoint belongs to (descent-run.json beside it or one level up). */
function runOptionsNear(place: string): { options: ParsedOptions; file: string } | null {
  for (const folder of [place, dirname(place)]) {
    const file = join(folder, RUN_CONFIG_FILE);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`${file}: cannot read the run's options (${(error as Error).message})`);
    }
    const options = (parsed as { options?: unknown } | null)?.options;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new Error(`${file}: not a descent train run configuration (no "options" object)`);
    }
    return { options: options as ParsedOptions, file };
  }
  return null;
}

/** Finds the weights file of `--checkpoint PATH`. */
function locateWeights(path: string): { dir: string | null; weightsFile: string } {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${path}: no such checkpoint (neither a directory nor a .safetensors file)`);
  if (!stat.isDirectory()) return { dir: null, weightsFile: path };
  // The checkpoint furthest into the run; else the directory itself, or its last checkpoint by name.
  let dir = latestCheckpoint(path);
  if (dir === null && statSync(join(path, MODEL_FILE), { throwIfNoEntry: false })?.isFile()) dir = path;
  dir ??= listCheckpoints(path).at(-1) ?? null;
  if (dir === null) {
    throw new Error(`${path}: holds no checkpoint (no ${MODEL_FILE}, and no checkpoint directories)`);
  }
  return { dir, weightsFile: join(dir, MODEL_FILE) };
}

/**
 * Loads the model of a checkpoint (`--checkpoint`), in eval mode. The weights come from
 * model.safetensors; the architecture, in this order, from the command line's --model, --hidden and
 * --channels when given; the checkpoint ('descent.model' metadata, or a `model` field in
 * trainer-state.json); the training run's options (descent-run.json, written by `descent train
 * --checkpoint`); else it is recognised from the weights' names and shapes. Every problem is an error
 * naming the file.
 */
export function loadTrainedModel(options: ParsedOptions, command: string): TrainedModel {
  const path = options.checkpoint as string | undefined;
  if (path === undefined) {
    throw new UsageError(
      `descent ${command}: --checkpoint DIR is required (a checkpoint written by training)`,
    );
  }
  const { dir, weightsFile } = locateWeights(path);
  const { tensors, metadata } = loadSafetensors(weightsFile);
  const first = Object.values(tensors)[0];
  const dtype: DType = first?.dtype === 'float64' ? 'float64' : 'float32';
  const run = runOptionsNear(dir ?? dirname(weightsFile));
  const given = givenOptions(options);
  const merged: ParsedOptions = { ...options };
  for (const name of RUN_DATA_OPTIONS) {
    if (run && !given.has(name) && run.options[name] !== undefined) merged[name] = run.options[name];
  }

  // What the weights say, for the shapes the options leave open (image size, classes).
  const inferred = inferModelSpec(tensors, {
    activation: (options.activation as ActivationName | undefined) ?? 'relu',
  });
  const shape: [number, number, number] = inferred ? modelImageShape(inferred) : [1, 28, 28];
  const classes = inferred?.classes ?? 10;
  const saved =
    parseJsonMetadata(metadata, MODEL_SPEC_METADATA_KEY, weightsFile) ??
    (dir ? stateFileSpec(dir) : undefined);
  let spec: ModelSpec;
  let specSource: TrainedModel['specSource'];
  if (['model', 'hidden', 'channels'].some((k) => options[k] !== undefined)) {
    spec = modelSpecFromOptions(options, shape, classes, command);
    specSource = 'options';
  } else if (saved !== undefined) {
    spec = resolveModelSpec(saved, `${weightsFile}: the recorded model`);
    specSource = 'checkpoint';
  } else if (run) {
    try {
      spec = modelSpecFromOptions(
        { ...run.options, activation: run.options.activation ?? 'relu' },
        shape,
        classes,
      );
    } catch (error) {
      throw new Error(`${run.file}: ${(error as Error).message.replace(/^descent train: /, '')}`, {
        cause: error,
      });
    }
    specSource = 'run';
  } else if (inferred) {
    spec = inferred;
    specSource = 'weights';
  } else {
    throw new Error(
      `${weightsFile}: records no architecture and its weights are not those of an mlp or cnn preset; ` +
        'give --model, --hidden and --channels',
    );
  }
  if (options.activation !== undefined && spec.activation !== options.activation) {
    spec = { ...spec, activation: options.activation as ActivationName };
  }
  const model = modelFromSpec(spec, { dtype });
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    const from = {
      options: ' (from the command-line options)',
      run: ` (from ${run?.file})`,
      checkpoint: '',
      weights: '',
    };
    throw new Error(
      `${weightsFile}: the weights do not fit ${describeModel(spec)}${from[specSource]}: ` +
        (error as Error).message.replace(/^loadStateDict: [^:]*:\s*/, ''),
      { cause: error },
    );
  }
  model.eval();
  const step = Number(metadata?.['descent.step']);
  const savedClasses = parseJsonMetadata(metadata, CLASS_NAMES_METADATA_KEY, weightsFile);
  const fromDataset = datasetClassNames(merged.dataset);
  const classNames =
    Array.isArray(savedClasses) &&
    savedClasses.length === spec.classes &&
    savedClasses.every((c) => typeof c === 'string')
      ? (savedClasses as string[])
      : fromDataset.length === spec.classes
        ? [...fromDataset]
        : Array.from({ length: spec.classes }, (_, i) => String(i));
  return {
    model,
    spec,
    description: describeModel(spec),
    specSource,
    weightsFile,
    dir,
    step: Number.isInteger(step) && metadata?.['descent.step'] !== undefined ? step : null,
    classNames,
    dtype,
    options: merged,
  };
}

/** The image shape [C, H, W] a trained model takes (an MLP's flat input as a square single-channel image). */
export function modelImageShape(spec: ModelSpec): [number, number, number] {
  if (spec.type === 'cnn') return spec.inputShape;
  const side = Math.round(Math.sqrt(spec.inputSize));
  if (side * side === spec.inputSize) return [1, side, side];
  const rgb = Math.round(Math.sqrt(spec.inputSize / 3));
  if (3 * rgb * rgb === spec.inputSize) return [3, rgb, rgb];
  throw new Error(`${describeModel(spec)} takes ${spec.inputSize} features, which is not a square image`);
}
