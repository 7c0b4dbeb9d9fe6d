/**
 * The trainer: `fit` a classifier over epochs with metrics, validation, callbacks, gradient clipping,
 * a learning-rate schedule, optimizer switching and checkpoints that resume bit for bit; `evaluate`
 * and `predict` for a trained model.
 *
 * Exact resume. A run is a deterministic function of the model's initial weights, the optimizer's and
 * scheduler's state, the random generators and the data order. A checkpoint saves all of them, plus
 * the position (epoch, batch within it, step), the running sums of the epoch in progress (loss, grad
 * norm, metric counts), the callbacks' states and the history, so `resume(dir)` continues a run from
 * any step, mid-epoch included, and its final weights equal those of the uninterrupted run as bytes.
 * The data source must give the same batches for the same (epoch, batch) (see data-source.ts).
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { ImageSet } from '../data/image-set.js';
import { crossEntropy } from '../nn/losses/cross-entropy.js';
import type { StateDict } from '../nn/module.js';
import { clipGradNorm } from '../optim/clip.js';
import type { OptimizerLike, OptimizerStateDict } from '../optim/optimizer.js';
import type { Scheduler, SchedulerState } from '../optim/schedulers/lr-scheduler.js';
import { ReduceLROnPlateau } from '../optim/schedulers/plateau.js';
import { decodeValue, encodeValue, type Encoded } from '../optim/state-dict.js';
import type { SwitchEvent, SwitchListener } from '../optim/switching/events.js';
import { globalNorm } from '../optim/transforms/clip.js';
import { isFloat, type DType } from '../tensor/dtype.js';
import { cat } from '../tensor/ops/movement.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { callbackName, type BatchLog, type Callback } from './callbacks/callback.js';
import { CheckpointError, latestCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { imageSetSource, isImageSet, type DataSource, type SourceState } from './data-source.js';
import { optimizerName } from './fit.js';
import { History, type EpochLog, type StepLog } from './history.js';
import { SafetensorsError } from './safetensors.js';
import { createMetric, type Metric, type MetricSpec, type MetricState } from './metrics.js';

/** What the trainer needs of a model; every `Module` has it. */
export interface TrainableModel {
  forward(input: Tensor): Tensor;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  stateDict(): StateDict;
  loadStateDict(state: StateDict): unknown;
  /** Training mode, restored after `evaluate` and `predict`. */
  training?: boolean;
}

/** What `predict` needs of a model. */
export type PredictModel = Pick<TrainableModel, 'forward' | 'train' | 'eval' | 'training'>;

/** A loss on (logits [N, C], class indices [N]) returning a scalar mean: a function or a loss module. */
export type LossLike =
  ((logits: Tensor, targets: Tensor) => Tensor) | { forward(input: Tensor, target: Tensor): Tensor };

/** Training data: a `DataSource`, or an `ImageSet` (batched with `batchSize` and `seed`). */
export type TrainData = DataSource | ImageSet;

export interface TrainerOptions {
  /** The number of epochs to train to (counted from the start of the run, resumed sessions included). */
  epochs: number;
  optimizer: OptimizerLike;
  /** Default cross-entropy on logits. */
  loss?: LossLike;
  /** A learning-rate scheduler of `optimizer`, stepped per batch or per epoch (see `scheduleEvery`). */
  scheduler?: Scheduler;
  /**
   * When `scheduler` steps: after every optimizer step ('batch', the default; count `tMax` and friends
   * in steps) or after every epoch ('epoch'). ReduceLROnPlateau always steps per epoch, on the
   * validation loss (the training loss without validation data).
   */
  scheduleEvery?: 'batch' | 'epoch';
  /** Metrics computed on the training batches and the validation data (default ['accuracy']). */
  metrics?: MetricSpec[];
  /** Validation data, evaluated after every epoch. */
  validation?: TrainData;
  /** Instead of `validation`: hold out this last fraction of the training data (needs `split` on the source). */
  validationSplit?: number;
  callbacks?: Callback[];
  /** Clip the global L2 norm of the gradients to this before every step. */
  clipNorm?: number;
  /** Element type the inputs are converted to (default: the model's first parameter's). */
  dtype?: DType;
  /** Make a step record every this many optimizer steps (default 50; 0 for none). */
  logEvery?: number;
  /** Batch size when `data` or `validation` is an ImageSet (default 32; 1000 for validation). */
  batchSize?: number;
  /** Data-order seed when `data` is an ImageSet (default 0). */
  seed?: number;
  /**
   * Random generators the run draws from besides the global `defaultGenerator` (a Dropout's own
   * generator...), by name: saved in checkpoints and restored on resume.
   */
  generators?: Record<string, Generator>;
}

/** `fit`'s options: the trainer's, plus a checkpoint to resume from. */
export interface FitOptions extends TrainerOptions {
  /**
   * A checkpoint directory, or a directory of checkpoints (the one with the most steps is used), to
   * resume from; an error when it holds none.
   */
  resume?: string;
}

/** What an optimizer may offer beyond `OptimizerLike`: switching events and epoch boundaries. */
interface SwitchingLike {
  onEpochEnd?: (epochsDone: number) => void;
  onSwitch?: (listener: SwitchListener) => () => void;
  attachScheduler?: (scheduler: Scheduler) => void;
}

/** The running sums of the epoch in progress, saved in checkpoints. */
interface EpochProgress {
  lossSum: number;
  samples: number;
  gradNormSum: number;
  steps: number;
  lastLr: number | null;
  lastOptimizer: string | null;
  /** Seconds spent in this epoch so far. */
  seconds: number;
  /** Sums since the last step record. */
  intervalLoss: number;
  intervalGradNorm: number;
  intervalSteps: number;
}

function freshProgress(): EpochProgress {
  return {
    lossSum: 0,
    samples: 0,
    gradNormSum: 0,
    steps: 0,
    lastLr: null,
    lastOptimizer: null,
    seconds: 0,
    intervalLoss: 0,
    intervalGradNorm: 0,
    intervalSteps: 0,
  };
}

function lossFunction(loss: LossLike | undefined): (logits: Tensor, targets: Tensor) => Tensor {
  if (loss === undefined) return (logits, targets) => crossEntropy(logits, targets);
  if (typeof loss === 'function') return loss;
  if (typeof loss === 'object' && loss !== null && typeof loss.forward === 'function') {
    return (logits, targets) => loss.forward(logits, targets);
  }
  throw new TypeError('loss must be a function (logits, targets) => Tensor or a loss module');
}

function asSource(
  data: TrainData,
  batchSize: number,
  shuffle: boolean,
  seed: number,
  who: string,
): DataSource {
  if (isImageSet(data)) return imageSetSource(data, { batchSize, shuffle, seed });
  if (typeof data !== 'object' || data === null || typeof data.batches !== 'function') {
    throw new TypeError(`${who}: expected an ImageSet or a DataSource {length(), batches(epoch, start)}`);
  }
  return data;
}

function checkPositiveInteger(who: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${who}: ${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * Trains a model; keeps the run's position so that it can checkpoint and resume anywhere.
 *
 * @example
 * const trainer = new Trainer(model, imageSetSource(train, { batchSize: 64, seed: 1 }), {
 *   epochs: 5,
 *   optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
 *   metrics: ['accuracy', 'f1'],
 *   validation: imageSetSource(test, { shuffle: false, batchSize: 1000 }),
 *   callbacks: [new ModelCheckpoint('runs/a', { everySteps: 100 }), new JsonlLogger('runs/a/log.jsonl')],
 * });
 * const resumeFrom = latestCheckpoint('runs/a');
 * if (resumeFrom) trainer.resume(resumeFrom);
 * const history = trainer.fit();
 */
export class Trainer {
  readonly model: TrainableModel;
  readonly optimizer: OptimizerLike;
  readonly scheduler: Scheduler | undefined;
  readonly data: DataSource;
  readonly validation: DataSource | null;
  readonly callbacks: readonly Callback[];
  readonly clipNorm: number | undefined;
  readonly dtype: DType;
  readonly logEvery: number;
  readonly generators: Readonly<Record<string, Generator>>;
  /** The number of epochs to train to. */
  epochs: number;
  history = new History();
  /** Epochs completed. */
  epochsDone = 0;
  /** Batches done in the epoch in progress. */
  batch = 0;
  /** Optimizer steps taken since the start of the run. */
  step = 0;
  /** Set by callbacks (or `stop`) to end training after the current step's hooks. */
  stopTraining = false;
  /** The checkpoint this session resumed from, or null. */
  resumedFrom: string | null = null;

  private readonly lossFn: (logits: Tensor, targets: Tensor) => Tensor;
  private readonly metricSpecs: readonly Metric[];
  private trainMetrics: Metric[];
  private progress = freshProgress();
  private readonly perBatch: boolean;
  private readonly params: Tensor[];
  private pendingSaves: { root: string; name: string; then?: (dir: string) => void }[] = [];
  /** Seconds of training in earlier sessions (restored on resume). */
  private elapsedBefore = 0;
  private sessionStart = performance.now();
  private epochStart = performance.now();
  private running = false;

  constructor(model: TrainableModel, data: TrainData, options: TrainerOptions) {
    const who = 'Trainer';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${who}: options are required`);
    const { epochs, optimizer, scheduler, clipNorm, logEvery = 50, validationSplit } = options;
    checkPositiveInteger(who, 'epochs', epochs);
    checkPositiveInteger(who, 'logEvery', logEvery);
    if (!optimizer || typeof optimizer.step !== 'function' || !Array.isArray(optimizer.paramGroups)) {
      throw new TypeError(`${who}: optimizer must be an optimizer (SGD, Adam, SwitchingOptimizer...)`);
    }
    if (clipNorm !== undefined && !(clipNorm >= 0)) {
      throw new RangeError(`${who}: clipNorm must be a number ≥ 0, got ${clipNorm}`);
    }
    const scheduleEvery = options.scheduleEvery ?? 'batch';
    if (scheduleEvery !== 'batch' && scheduleEvery !== 'epoch') {
      throw new RangeError(`${who}: scheduleEvery must be 'batch' or 'epoch', got ${String(scheduleEvery)}`);
    }
    if (scheduler !== undefined && scheduler.optimizer !== optimizer) {
      throw new TypeError(`${who}: the scheduler belongs to another optimizer`);
    }
    this.model = model;
    this.optimizer = optimizer;
    this.scheduler = scheduler;
    this.params = model.parameters();
    const paramDtype = this.params[0]?.dtype ?? 'float32';
    this.dtype = options.dtype ?? paramDtype;
    if (!isFloat(this.dtype))
      throw new TypeError(`${who}: dtype must be float32 or float64, got ${this.dtype}`);
    if (this.params.some((p) => p.dtype !== this.dtype)) {
      throw new TypeError(
        `${who}: dtype is ${this.dtype} but the model has ${paramDtype} parameters; call model.to('${this.dtype}') before building the optimizer`,
      );
    }
    const batchSize = options.batchSize ?? 32;
    let train = asSource(data, batchSize, true, options.seed ?? 0, who);
    let validation =
      options.validation === undefined
        ? null
        : asSource(options.validation, Math.max(batchSize, 1000), false, 0, `${who}: validation`);
    if (validationSplit !== undefined) {
      if (validation) throw new RangeError(`${who}: give validation or validationSplit, not both`);
      if (typeof train.split !== 'function') {
        throw new TypeError(
          `${who}: validationSplit needs a data source with split(); pass validation instead`,
        );
      }
      ({ train, validation } = train.split(validationSplit));
    }
    this.data = train;
    this.validation = validation;
    this.callbacks = [...(options.callbacks ?? [])];
    this.clipNorm = clipNorm;
    this.logEvery = logEvery;
    this.epochs = epochs;
    this.generators = { ...(options.generators ?? {}) };
    this.lossFn = lossFunction(options.loss);
    this.metricSpecs = (options.metrics ?? ['accuracy']).map(createMetric);
    const names = this.metricSpecs.map((m) => m.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated) throw new RangeError(`${who}: the metric '${repeated}' is listed twice`);
    this.trainMetrics = this.metricSpecs.map((m) => m.fresh());
    this.perBatch =
      scheduler !== undefined && !(scheduler instanceof ReduceLROnPlateau) && scheduleEvery === 'batch';
    // A switching optimizer rebases the schedule on the new phase's lr, so it must know the scheduler.
    if (scheduler) (optimizer as SwitchingLike).attachScheduler?.(scheduler);
  }

  // ---- what callbacks read ----

  /** Batches per epoch. */
  get stepsPerEpoch(): number {
    return this.data.length();
  }

  /** The scalar metric names of the epoch records (training side), e.g. ['accuracy', 'f1']. */
  get metricKeys(): string[] {
    return this.metricSpecs.flatMap((m) => [...m.keys]);
  }

  /** The mean training loss of the epoch in progress so far (NaN before its first batch). */
  get runningLoss(): number {
    return this.progress.samples === 0 ? NaN : this.progress.lossSum / this.progress.samples;
  }

  /** Seconds of training so far, earlier sessions included. */
  get elapsedSeconds(): number {
    return this.elapsedBefore + (performance.now() - this.sessionStart) / 1000;
  }

  /** Every name a callback may monitor in this run ('loss', 'accuracy', 'lr', 'valLoss', 'valAccuracy'...). */
  monitors(): string[] {
    const keys = this.metricKeys;
    const names = ['loss', ...keys, 'lr', 'gradNorm'];
    if (this.validation) names.push('valLoss', ...keys.map((k) => `val${k[0]!.toUpperCase()}${k.slice(1)}`));
    return names;
  }

  /** Throws a clear error when `monitor` ('valLoss' or 'val_loss', 'accuracy'...) is not measured in this run. */
  checkMonitor(monitor: string, who: string): void {
    const name = monitor.startsWith('val_')
      ? `val${monitor[4]?.toUpperCase() ?? ''}${monitor.slice(5)}`
      : monitor;
    if (this.monitors().includes(name)) return;
    if (/^val[A-Z]/.test(name) && !this.validation) {
      throw new RangeError(
        `${who}: monitor '${monitor}' needs validation data (validation or validationSplit)`,
      );
    }
    throw new RangeError(
      `${who}: cannot monitor '${monitor}'; this run measures ${this.monitors().join(', ')}`,
    );
  }

  /** Ends training after the current step's hooks; `reason` goes into the history. */
  stop(reason: string): void {
    this.stopTraining = true;
    this.history.stopReason ??= reason;
  }

  // ---- training ----

  /** Trains until `epochs` epochs are done or a callback stops the run; returns the history. */
  fit(): History {
    if (this.running) throw new Error('Trainer.fit: this trainer is already running');
    this.running = true;
    const switching = this.optimizer as OptimizerLike & SwitchingLike;
    const unsubscribe = switching.onSwitch?.((event) => this.onSwitch(event));
    this.sessionStart = performance.now();
    try {
      this.callHook((cb) => cb.onTrainBegin?.(this));
      this.flushSaves();
      while (!this.stopTraining && this.epochsDone < this.epochs) this.runEpoch();
      this.callHook((cb) => cb.onTrainEnd?.(this, this.history));
      this.flushSaves();
    } finally {
      unsubscribe?.();
      this.elapsedBefore += (performance.now() - this.sessionStart) / 1000;
      this.sessionStart = performance.now();
      this.running = false;
    }
    return this.history;
  }

  private callHook(call: (cb: Callback) => void): void {
    for (const cb of this.callbacks) call(cb);
  }

  private onSwitch(event: SwitchEvent): void {
    this.history.switches.push({ ...event, groups: [...event.groups], lrs: [...event.lrs] });
    this.callHook((cb) => cb.onSwitch?.(this, event));
  }

  private runEpoch(): void {
    const number = this.epochsDone + 1;
    this.epochStart = performance.now() - this.progress.seconds * 1000;
    this.callHook((cb) => cb.onEpochBegin?.(this, number));
    this.model.train();
    if (!this.stopTraining) {
      for (const { inputs, targets } of this.data.batches(this.epochsDone, this.batch)) {
        this.trainStep(inputs, targets, number);
        if (this.stopTraining) break;
      }
    }
    this.endEpoch(number);
  }

  private trainStep(inputs: Tensor, targets: Tensor, epoch: number): void {
    this.callHook((cb) => cb.onBatchBegin?.(this, epoch, this.batch + 1));
    const x = isFloat(inputs.dtype) && inputs.dtype !== this.dtype ? inputs.to(this.dtype) : inputs;
    this.optimizer.zeroGrad();
    const logits = this.model.forward(x);
    const value = this.lossFn(logits, targets);
    value.backward();
    const gradNorm =
      this.clipNorm !== undefined
        ? clipGradNorm(this.params, this.clipNorm)
        : globalNorm(this.params.flatMap((p) => (p.grad ? [p.grad] : [])));
    const lr = this.optimizer.paramGroups[0]!.lr;
    const name = optimizerName(this.optimizer);
    this.optimizer.step();
    this.step++;
    this.batch++;
    if (this.perBatch) this.scheduler!.step();

    const loss = value.item();
    const size = targets.shape[0] ?? 0;
    const p = this.progress;
    p.lossSum += loss * size;
    p.samples += size;
    p.gradNormSum += gradNorm;
    p.steps++;
    p.lastLr = lr;
    p.lastOptimizer = name;
    p.intervalLoss += loss;
    p.intervalGradNorm += gradNorm;
    p.intervalSteps++;
    for (const m of this.trainMetrics) m.update(logits, targets);
    let stepLog: StepLog | undefined;
    if (this.logEvery > 0 && this.step % this.logEvery === 0) {
      stepLog = {
        step: this.step,
        epoch,
        batch: this.batch,
        loss: p.intervalLoss / p.intervalSteps,
        lr,
        gradNorm: p.intervalGradNorm / p.intervalSteps,
        optimizer: name,
        seconds: this.elapsedSeconds,
      };
      this.history.steps.push(stepLog);
      p.intervalLoss = 0;
      p.intervalGradNorm = 0;
      p.intervalSteps = 0;
    }
    const log: BatchLog = { epoch, batch: this.batch, step: this.step, loss, size, lr, gradNorm };
    if (stepLog) log.stepLog = stepLog;
    this.callHook((cb) => cb.onBatchEnd?.(this, log));
    this.flushSaves();
  }

  private endEpoch(number: number): void {
    const val = this.validation
      ? runEvaluation(this.model, this.validation, this.lossFn, this.metricSpecs, this.dtype)
      : null;
    this.model.train();
    const p = this.progress;
    const log: EpochLog = {
      epoch: number,
      step: this.step,
      loss: p.samples === 0 ? NaN : p.lossSum / p.samples,
      metrics: summarize(this.trainMetrics),
      valLoss: val ? val.loss : NaN,
      valMetrics: val ? val.metrics : {},
      lr: p.lastLr ?? this.optimizer.paramGroups[0]!.lr,
      gradNorm: p.steps === 0 ? NaN : p.gradNormSum / p.steps,
      optimizer: p.lastOptimizer ?? optimizerName(this.optimizer),
      seconds: (performance.now() - this.epochStart) / 1000,
    };
    this.history.epochs.push(log);
    if (this.scheduler && !this.perBatch) {
      const plateau = this.scheduler instanceof ReduceLROnPlateau;
      this.scheduler.step(plateau ? (val ? val.loss : log.loss) : undefined);
    }
    this.epochsDone = number;
    this.batch = 0;
    this.progress = {
      ...freshProgress(),
      intervalLoss: p.intervalLoss,
      intervalGradNorm: p.intervalGradNorm,
      intervalSteps: p.intervalSteps,
    };
    this.trainMetrics.forEach((m) => m.reset());
    (this.optimizer as SwitchingLike).onEpochEnd?.(number);
    this.callHook((cb) => cb.onEpochEnd?.(this, log));
    this.flushSaves();
  }

  // ---- checkpoints ----

  /**
   * Asks for a checkpoint `root/name`, written once every callback has run the current hook (so it
   * holds a consistent state); `then` runs with its path after it is written.
   */
  requestSave(root: string, name: string, then?: (dir: string) => void): void {
    this.pendingSaves.push(then ? { root, name, then } : { root, name });
  }

  private flushSaves(): void {
    while (this.pendingSaves.length > 0) {
      const { root, name, then } = this.pendingSaves.shift()!;
      const dir = this.save(root, name);
      then?.(dir);
    }
  }

  /** Everything a resume needs besides the weights, as a JSON-able tree (tensors allowed). */
  stateDict(): Record<string, unknown> {
    const p = this.progress;
    return {
      position: { epoch: this.epochsDone, batch: this.batch, step: this.step },
      epochs: this.epochs,
      stopTraining: this.stopTraining,
      optimizerName: optimizerName(this.optimizer),
      optimizer: this.optimizer.stateDict(),
      scheduler: this.scheduler ? this.scheduler.stateDict() : null,
      rng: {
        default: defaultGenerator.getState(),
        generators: Object.fromEntries(Object.entries(this.generators).map(([k, g]) => [k, g.getState()])),
      },
      data: this.data.state?.() ?? null,
      progress: {
        ...p,
        seconds: this.batch === 0 ? 0 : (performance.now() - this.epochStart) / 1000,
        metrics: this.trainMetrics.map((m) => ({ name: m.name, state: m.stateDict() })),
      },
      callbacks: this.callbacks.map((cb) => ({ name: callbackName(cb), state: cb.stateDict?.() ?? null })),
      history: this.history.toJSON(),
      elapsedSeconds: this.elapsedSeconds,
    };
  }

  /**
   * Writes a checkpoint of the run as it is now to `root/name`, atomically (see checkpoint.ts), and
   * returns its path. Safe between steps; from a callback use `requestSave`.
   */
  save(root: string, name: string): string {
    return writeCheckpoint(root, name, {
      weights: this.model.stateDict(),
      state: encodeValue(this.stateDict(), 'trainer state') as Record<string, Encoded>,
      metadata: { 'descent.step': String(this.step), 'descent.epoch': String(this.epochsDone) },
    });
  }

  /**
   * Restores a checkpoint written by `save` (or ModelCheckpoint) into this trainer's objects: model
   * weights, optimizer, scheduler, random generators, data position, metric sums, callback states and
   * history. `fit()` then continues exactly where the saved run was. Build the trainer as the saved run
   * was built (same model, optimizer and scheduler types, callbacks, metrics and data settings).
   * Every problem raises an error naming the checkpoint (a `CheckpointError` or `SafetensorsError`
   * names the file); a failed resume may leave some objects restored, so build fresh ones.
   */
  resume(dir: string): void {
    const who = `Trainer.resume(${dir})`;
    try {
      this.restore(dir, who);
    } catch (error) {
      if (error instanceof CheckpointError || error instanceof SafetensorsError) throw error;
      const message = (error as Error)?.message ?? String(error);
      throw new Error(message.startsWith(who) ? message : `${who}: ${message}`, { cause: error });
    }
  }

  private restore(dir: string, who: string): void {
    const { weights, state } = readCheckpoint(dir);
    const field = (key: string): Encoded => {
      if (!Object.hasOwn(state, key)) throw new Error(`${who}: trainer-state.json lacks '${key}'`);
      return state[key]!;
    };
    const position = decodeValue(field('position'), 'position') as Record<string, unknown>;
    for (const key of ['epoch', 'batch', 'step'] as const) {
      const v = position?.[key];
      if (!Number.isInteger(v) || (v as number) < 0) {
        throw new Error(`${who}: position.${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
      }
    }
    const callbacks = decodeValue(field('callbacks'), 'callbacks') as { name: string; state: unknown }[];
    const ours = this.callbacks.map(callbackName);
    const theirs = Array.isArray(callbacks) ? callbacks.map((c) => c?.name) : [];
    if (ours.join(',') !== theirs.join(',')) {
      throw new Error(
        `${who}: the checkpoint was saved with callbacks [${theirs.join(', ')}], this trainer has [${ours.join(', ')}]`,
      );
    }
    const progress = decodeValue(field('progress'), 'progress') as EpochProgress & {
      metrics: { name: string; state: MetricState }[];
    };
    const savedMetrics = Array.isArray(progress?.metrics) ? progress.metrics.map((m) => m.name) : [];
    const metricNames = this.trainMetrics.map((m) => m.name);
    if (savedMetrics.join(',') !== metricNames.join(',')) {
      throw new Error(
        `${who}: the checkpoint was saved with metrics [${savedMetrics.join(', ')}], this trainer has [${metricNames.join(', ')}]`,
      );
    }
    const schedulerState = decodeValue(field('scheduler'), 'scheduler') as SchedulerState | null;
    if ((schedulerState === null) !== (this.scheduler === undefined)) {
      throw new Error(
        `${who}: the checkpoint was saved ${schedulerState ? 'with' : 'without'} a scheduler, this trainer has ${this.scheduler ? 'one' : 'none'}`,
      );
    }
    const rng = decodeValue(field('rng'), 'rng') as {
      default: { s: number[]; spare: number | null };
      generators: Record<string, { s: number[]; spare: number | null }>;
    };
    for (const name of Object.keys(this.generators)) {
      if (!rng?.generators || !Object.hasOwn(rng.generators, name)) {
        throw new Error(`${who}: the checkpoint has no state for the generator '${name}'`);
      }
    }
    const dataState = decodeValue(field('data'), 'data') as SourceState;
    if (dataState !== null) this.data.loadState?.(dataState);
    const history = History.fromJSON(decodeValue(field('history'), 'history'));

    // Checks done; restore.
    this.model.loadStateDict(weights);
    this.optimizer.loadStateDict(field('optimizer') as unknown as OptimizerStateDict);
    if (this.scheduler && schedulerState) this.scheduler.loadStateDict(schedulerState);
    defaultGenerator.setState(rng.default);
    for (const [name, g] of Object.entries(this.generators)) g.setState(rng.generators[name]!);
    this.trainMetrics.forEach((m, i) => m.loadStateDict(progress.metrics[i]!.state));
    const { metrics: _metrics, ...sums } = progress;
    this.progress = { ...freshProgress(), ...sums };
    this.callbacks.forEach((cb, i) => {
      const saved = callbacks[i]!.state;
      if (saved !== null && saved !== undefined) cb.loadStateDict?.(saved);
    });
    this.history = history;
    this.epochsDone = position.epoch as number;
    this.batch = position.batch as number;
    this.step = position.step as number;
    const stopped = decodeValue(field('stopTraining'), 'stopTraining');
    this.stopTraining = stopped === true;
    const elapsed = decodeValue(state.elapsedSeconds ?? 0, 'elapsedSeconds');
    this.elapsedBefore = typeof elapsed === 'number' && Number.isFinite(elapsed) ? elapsed : 0;
    this.sessionStart = performance.now();
    this.resumedFrom = dir;
  }
}

function summarize(metrics: readonly Metric[]): Record<string, number> {
  return Object.assign({}, ...metrics.map((m) => m.summary())) as Record<string, number>;
}

/**
 * Trains `model` on `data` for `options.epochs` epochs and returns the history; with `resume`, first
 * restores the latest checkpoint found there. See `Trainer` for everything it does.
 *
 * @example
 * const model = buildMlp([784, 128, 10]);
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * const history = fit(model, train, {
 *   epochs: 3, optimizer, batchSize: 64, metrics: ['accuracy', 'top3'], validationSplit: 0.1,
 *   scheduler: new CosineAnnealingLR(optimizer, { tMax: 3 * 141 }),
 *   callbacks: [new EarlyStopping({ monitor: 'valLoss', patience: 2, restoreBestWeights: true })],
 * });
 * history.series('valAccuracy');
 */
export function fit(model: TrainableModel, data: TrainData, options: FitOptions): History {
  const trainer = new Trainer(model, data, options);
  if (options.resume !== undefined) {
    const dir = latestCheckpoint(options.resume);
    if (dir === null) throw new Error(`fit: no checkpoint to resume from in ${options.resume}`);
    trainer.resume(dir);
  }
  return trainer.fit();
}

// ---- evaluate and predict ----

export interface EvaluateOptions {
  /** Default cross-entropy. */
  loss?: LossLike;
  /** Default ['accuracy']. */
  metrics?: MetricSpec[];
  /** Batch size when `data` is an ImageSet (default 1000). */
  batchSize?: number;
  /** Element type of the inputs (default: the model's first parameter's, else float32). */
  dtype?: DType;
}

export interface EvaluateResult {
  /** Mean loss over the samples. */
  loss: number;
  /** The metrics' scalars by key (e.g. { accuracy, f1 }). */
  metrics: Record<string, number>;
  /** Each metric's full value by name (a confusion matrix as rows of counts, a macro F1...). */
  values: Record<string, unknown>;
  samples: number;
  seconds: number;
}

function runEvaluation(
  model: PredictModel,
  data: DataSource,
  loss: (logits: Tensor, targets: Tensor) => Tensor,
  specs: readonly Metric[],
  dtype: DType,
): EvaluateResult {
  const start = performance.now();
  const metrics = specs.map((m) => m.fresh());
  const wasTraining = model.training;
  let total = 0;
  let samples = 0;
  model.eval();
  try {
    noGrad(() => {
      for (const { inputs, targets } of data.batches(0)) {
        const x = isFloat(inputs.dtype) && inputs.dtype !== dtype ? inputs.to(dtype) : inputs;
        const logits = model.forward(x);
        const n = targets.shape[0] ?? 0;
        total += loss(logits, targets).item() * n;
        samples += n;
        for (const m of metrics) m.update(logits, targets);
      }
    });
  } finally {
    if (wasTraining !== undefined) model.train(wasTraining);
  }
  return {
    loss: samples === 0 ? NaN : total / samples,
    metrics: summarize(metrics),
    values: Object.fromEntries(metrics.map((m) => [m.name, m.compute()])),
    samples,
    seconds: (performance.now() - start) / 1000,
  };
}

function modelDtype(model: object): DType {
  const params = (model as Partial<TrainableModel>).parameters?.();
  return params?.[0]?.dtype ?? 'float32';
}

/**
 * Loss and metrics of `model` over `data` (epoch 0's batches of a DataSource, or an ImageSet in
 * stored order), in eval mode without recording gradients; the model's mode is restored afterwards.
 *
 * @example
 * const { loss, metrics, values } = evaluate(model, test, { metrics: ['accuracy', 'f1', 'confusion'] });
 * values.confusion; // number[][]: rows true class, columns predicted class
 */
export function evaluate(
  model: PredictModel,
  data: TrainData,
  options: EvaluateOptions = {},
): EvaluateResult {
  const source = asSource(data, options.batchSize ?? 1000, false, 0, 'evaluate');
  const metrics = (options.metrics ?? ['accuracy']).map(createMetric);
  return runEvaluation(
    model,
    source,
    lossFunction(options.loss),
    metrics,
    options.dtype ?? modelDtype(model),
  );
}

export interface PredictOptions {
  /** Samples per forward pass (default 256). */
  batchSize?: number;
  /** Element type of the inputs (default: the model's first parameter's, else float32). */
  dtype?: DType;
}

export interface Prediction {
  /** The model's outputs [N, C]. */
  logits: Tensor;
  /** softmax(logits) along the classes [N, C]. */
  probabilities: Tensor;
  /** The arg-max class of each sample. */
  classes: Int32Array;
}

/**
 * Runs `model` over inputs [N, ...] (or the inputs of a DataSource's epoch 0 / an ImageSet in stored
 * order) in batches, in eval mode without recording gradients, and returns logits, class
 * probabilities and predicted classes. The model's mode is restored afterwards.
 *
 * @example
 * const { probabilities, classes } = predict(model, images); // images: [N, 784]
 */
export function predict(
  model: PredictModel,
  input: Tensor | TrainData,
  options: PredictOptions = {},
): Prediction {
  const { batchSize = 256 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`predict: batchSize must be a positive integer, got ${batchSize}`);
  }
  const dtype = options.dtype ?? modelDtype(model);
  const inputs: Iterable<Tensor> =
    input instanceof Tensor
      ? (function* () {
          const n = input.shape[0] ?? 0;
          if (input.ndim < 1) throw new RangeError('predict: inputs need a batch dimension [N, ...]');
          for (let start = 0; start < n; start += batchSize) {
            yield input.narrow(0, start, Math.min(batchSize, n - start));
          }
        })()
      : (function* () {
          for (const b of asSource(input, batchSize, false, 0, 'predict').batches(0)) yield b.inputs;
        })();
  const outputs: Tensor[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const x of inputs) {
        outputs.push(model.forward(isFloat(x.dtype) && x.dtype !== dtype ? x.to(dtype) : x));
      }
    });
  } finally {
    if (wasTraining !== undefined) model.train(wasTraining);
  }
  if (outputs.length === 0) throw new RangeError('predict: no inputs');
  const logits = outputs.length === 1 ? outputs[0]! : cat(outputs, 0);
  if (logits.ndim !== 2) {
    throw new RangeError(
      `predict: the model's outputs must be [N, classes], got [${logits.shape.join(', ')}]`,
    );
  }
  const probabilities = noGrad(() => logits.softmax(1));
  const classes = Int32Array.from(logits.argmax(1)._data as ArrayLike<number>);
  return { logits, probabilities, classes };
}
